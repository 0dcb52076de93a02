"""How a disposal answers what the victim asked for.

The victim's views are sought and weighed, but the victim need not agree: the officer decides (Community
Resolution guidance; DPP's Guidance on conditional cautions). So the victim's wishes never refuse a decision;
the explained outcome says, wish by wish, whether the disposal carries something that answers it, so that an
officer can see it at a glance and the victim can be told.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from schemas.commands import ImposedCondition
from schemas.vocabulary import ConditionKind, Evidence, VictimWish

Answers = Callable[[Sequence[ImposedCondition]], bool]


def _has(kind: ConditionKind, evidence: Evidence | None = None) -> Answers:
    return lambda conditions: any(c.kind == kind and evidence in (None, c.evidence) for c in conditions)


ANSWERED_BY: dict[VictimWish, Answers | None] = {
    VictimWish.APOLOGY: _has(ConditionKind.REPARATIVE, Evidence.LETTER_SENT),
    VictimWish.COMPENSATION: _has(ConditionKind.COMPENSATION),
    VictimWish.REPAIR_OF_DAMAGE: _has(ConditionKind.REPARATIVE),
    VictimWish.RESTORATIVE_MEETING: _has(ConditionKind.REPARATIVE, Evidence.ATTENDANCE),
    VictimWish.NO_CONTACT: _has(ConditionKind.RESTRICTIVE),
    VictimWish.HELP_FOR_THE_OFFENDER: _has(ConditionKind.REHABILITATIVE),
    VictimWish.NO_FURTHER_ACTION: None,
    VictimWish.PROSECUTION: None,
}
"""Which conditions answer each wish; None for a wish no disposal answers (it is weighed, and set aside)."""


def weigh_victim_wishes(wishes: Sequence[VictimWish], conditions: Sequence[ImposedCondition], label: str) -> str:
    """In words: which of the victim's wishes the disposal answers, and which it does not."""
    if not wishes:
        return "the victim expressed no wish from the list"
    answered = [w for w in wishes if (answers := ANSWERED_BY[w]) is not None and answers(conditions)]
    unanswered = [w for w in wishes if w not in answered]
    parts = []
    if answered:
        parts.append(f"answers the victim's wish for {_listed(answered)}")
    if unanswered:
        parts.append(f"does not answer their wish for {_listed(unanswered)}")
    return f"the {label} " + "; ".join(parts) + " (the victim's views were weighed; the officer decides)"


def _listed(wishes: Sequence[VictimWish]) -> str:
    return ", ".join(wish.value.replace("_", " ") for wish in wishes)
