"""What an agency may see of a person it is referred: the fields its catalogue entry lists, no more.

The router discloses only those fields when it issues a referral; the gateway shows an agency only
those fields when it reads one, so narrowing an agency's entry takes effect for what it reads next
even on referrals issued before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from schemas.vocabulary import DisclosedField

PERSONAL = frozenset(
    {
        DisclosedField.GIVEN_NAME,
        DisclosedField.FAMILY_NAME,
        DisclosedField.DATE_OF_BIRTH,
        DisclosedField.PHONE,
        DisclosedField.EMAIL,
        DisclosedField.POSTCODE,
    }
)


@dataclass(frozen=True)
class DisclosurePolicy:
    allowed: Mapping[str, frozenset[DisclosedField]]
    """Agency id -> what it may see; an agency not listed sees nothing."""

    def visible(self, agency_id: str, brief: Mapping, personal: Mapping | None) -> tuple[dict, dict | None]:
        """The brief and personal details an agency may see of what it was sent."""
        allowed = {field.value for field in self.allowed.get(agency_id, frozenset())}
        shown_brief = {name: value for name, value in brief.items() if name in allowed}
        if personal is None:
            return shown_brief, None
        shown_personal = {name: value for name, value in personal.items() if name in allowed and value is not None}
        return shown_brief, shown_personal or None
