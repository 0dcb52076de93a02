"""One case judged against the whole catalogue, each judgement made once.

Consolidation tries many sets of agencies and asks the same questions of each (may this agency
take this need? what does it score for these needs?); answering from a cache keeps the
exhaustive search cheap and guarantees every set is compared on identical numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from schemas.vocabulary import NeedCategory
from services.referral_router.domain.catalogue import Agency
from services.referral_router.domain.suitability import Need, Person, Refusal, Score, refusals, score


class Judge:
    def __init__(
        self,
        person: Person,
        agencies: Iterable[Agency],
        load: Mapping[str, int],
        excluded: Mapping[NeedCategory, frozenset[str]],
    ) -> None:
        self.person = person
        self.agencies = tuple(sorted(agencies, key=lambda agency: agency.id))
        self._load = load
        self._excluded = excluded
        self._refusals: dict[tuple[str, Need], tuple[Refusal, ...]] = {}
        self._scores: dict[tuple[str, tuple[Need, ...]], Score] = {}

    def load(self, agency: Agency) -> int:
        return self._load.get(agency.id, 0)

    def eligible(self, agency: Agency, need: Need) -> bool:
        return not self._refused(agency, need)

    def refusals(self, agency: Agency, needs: Sequence[Need]) -> tuple[Refusal, ...]:
        return tuple(refusal for need in needs for refusal in self._refused(agency, need))

    def score(self, agency: Agency, needs: tuple[Need, ...]) -> Score:
        key = (agency.id, needs)
        if key not in self._scores:
            self._scores[key] = score(agency, needs, self.person, load=self.load(agency))
        return self._scores[key]

    def serving(self, needs: Sequence[Need]) -> tuple[Agency, ...]:
        """Agencies that serve at least one of `needs`, eligible or not: the candidates worth explaining."""
        return tuple(agency for agency in self.agencies if any(need.category in agency.needs for need in needs))

    def _refused(self, agency: Agency, need: Need) -> tuple[Refusal, ...]:
        key = (agency.id, need)
        if key not in self._refusals:
            declined = agency.id in self._excluded.get(need.category, frozenset())
            self._refusals[key] = refusals(agency, need, self.person, load=self.load(agency), declined=declined)
        return self._refusals[key]
