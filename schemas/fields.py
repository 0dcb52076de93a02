"""Bounded scalar types shared by commands and events.

Every string that crosses a service boundary has a maximum length and, where the domain has a
format, a pattern: an unbounded field is a way to put a megabyte, or a name, where neither
belongs. The bounds are part of the `.v1` contract and appear in the exported JSON Schemas.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, StrictBool, StrictInt, StringConstraints

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

ForceId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=_SLUG),
    Field(description="The police force, as a lower-case slug, e.g. `cambridgeshire`."),
]
AgencyId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=_SLUG),
    Field(description="A partner agency in the catalogue, as a lower-case slug."),
]
AreaCode = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=_SLUG),
    Field(description="The area the person lives in, as agencies' catchments name it (a slug)."),
]
PoliceReference = Annotated[
    str,
    StringConstraints(min_length=4, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9/-]*$"),
    Field(description="The force's own reference for the case (e.g. its URN)."),
]
SubjectRef = Annotated[
    str,
    StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
    Field(description="Pseudonymous, force-issued reference to the person; never a name or PNC number."),
]
OffenceCode = Annotated[
    str,
    StringConstraints(max_length=8, pattern=r"^[A-Z]{2}[0-9]{5}[A-Z]?$"),
    Field(description="CJS offence code, e.g. `TH68010`."),
]
RuleName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$"),
    Field(description="Name of an eligibility rule in the force's policy."),
]

OfficerId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]*$"),
    Field(description="The officer's force identifier (e.g. collar or warrant number), never a name."),
]
AuthorityReference = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/ -]*$"),
    Field(description="The reference under which a Crown Prosecutor's authority was recorded."),
]
ReasonCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$"),
    Field(description="Why, as a code from one of the platform's vocabularies."),
]


def _text_not_number(value: Any) -> Any:
    """A time in JSON is text; a number is refused rather than read as seconds since 1970."""
    if isinstance(value, int | float | bool):
        raise ValueError("expected an ISO 8601 date or date-time string, not a number")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_text_not_number)]
"""A moment with its UTC offset, as ISO 8601 text (strict: `0` is not 1970)."""
Day = Annotated[date, BeforeValidator(_text_not_number)]
"""A calendar date, as ISO 8601 text (strict)."""
Flag = StrictBool
"""`true` or `false` only: `0`, `1` and `"yes"` are refused."""

GravityScore = Annotated[StrictInt, Field(ge=1, le=4, description="National gravity matrix score, 1–4.")]
AgeAtOffence = Annotated[StrictInt, Field(ge=10, le=120, description="Age in years when the offence was committed.")]
Hours = Annotated[StrictInt, Field(ge=1, le=200, description="Whole hours.")]
AmountPence = Annotated[StrictInt, Field(ge=1, le=1_000_000, description="An amount of money, in pence.")]
RecordCount = Annotated[StrictInt, Field(ge=0, le=999)]
Sequence = Annotated[
    StrictInt,
    Field(ge=0, description="The owner's count of changes to this record: a follower applies only a higher one."),
]

PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text a person wrote: any character but the control characters (a NUL cannot even be stored)."""
ConditionText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=PRINTABLE)]
GoalText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]
ReasonText = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=PRINTABLE)]
SourceText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]
"""Where a rule comes from: an Act and section, a statutory instrument, guidance, or a force's policy."""
ExplanationText = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PRINTABLE)]
ActivityText = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=PRINTABLE)]
"""One activity of an action plan: what the agency will do with the person."""
NoteText = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PRINTABLE)]
"""Free text about the person (a case note, a concern, a session's notes): sealed wherever it is kept."""
StaffName = Annotated[
    str,
    StringConstraints(min_length=2, max_length=100, pattern=PRINTABLE),
    Field(description="A member of staff as colleagues know them: an agency's caseworker, a diversion team member."),
]
