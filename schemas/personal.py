"""Personal data: the one clearly marked sub-object that identifies a person.

Everything else in the event contract refers to people by a pseudonymous `subject_ref`. Names,
date of birth and contact details travel only inside a field named `personal`, and only on the
messages whose consumer needs them (the police decision that opens a case; the case opened and
referral issued events, because an agency must contact the person). Keeping them in one place
lets a producer minimise (send `None`), encrypt or crypto-shred them, and lets a log or
dead-letter writer drop them, without reshaping any event.

Police systems submit them in clear (`SubmittedPersonalDetails`, over TLS to intake only). Every
event carries them sealed (`SealedPersonalDetails`): each field encrypted under the case's own data key
(`platform_plumbing.personal_data`), so that erasing the key erases every copy.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from schemas.fields import PRINTABLE, Day

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=PRINTABLE)]
Phone = Annotated[str, StringConstraints(min_length=7, max_length=20, pattern=r"^\+?[0-9 ]+$")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
VictimWords = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=PRINTABLE)]
"""What the victim said they want, in their own words."""
Postcode = Annotated[
    str,
    StringConstraints(max_length=8, to_upper=True, pattern=r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"),
]


class PersonalDetails(BaseModel):
    """PERSONAL DATA. Who the person is and how an agency can reach them.

    On a referral only the fields the agency's catalogue entry allows are present, so every field
    may be absent here; a police system must send the name and date of birth.
    """

    model_config = ConfigDict(
        extra="ignore", frozen=True, str_strip_whitespace=True, revalidate_instances="subclass-instances"
    )

    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: Day | None = None
    phone: Phone | None = None
    email: Email | None = None
    postcode: Postcode | None = None
    victim_comment: VictimWords | None = None
    """The victim's own words about what they want (their wishes, from a fixed list, are on the decision). Kept
    here so that it is sealed and erased with the case; no agency's catalogue entry may disclose it."""


class SubmittedPersonalDetails(PersonalDetails):
    """PERSONAL DATA as a police system submits it: name and date of birth required, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid")

    given_name: Name
    family_name: Name
    date_of_birth: Day


Sealed = Annotated[str, StringConstraints(min_length=24, max_length=512, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]
"""One personal field encrypted under its case's data key (Tink AEAD ciphertext, URL-safe base64)."""
SealedText = Annotated[str, StringConstraints(min_length=24, max_length=2800, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]
"""A longer field sealed the same way: free text of up to 500 characters."""
SealedNote = Annotated[str, StringConstraints(min_length=24, max_length=5500, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]
"""Free text of up to 1,000 characters about the person (a note, a concern), sealed the same way."""


class SealedPersonalDetails(BaseModel):
    """PERSONAL DATA, sealed: the fields of `PersonalDetails` each encrypted under the case's data key.

    Only compliance opens them, for an agency entitled to the field; the router forwards the fields an
    agency may see without reading them. A field the recipient may not see is absent.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    given_name: Sealed | None = None
    family_name: Sealed | None = None
    date_of_birth: Sealed | None = None
    phone: Sealed | None = None
    email: Sealed | None = None
    postcode: Sealed | None = None
    victim_comment: SealedText | None = None
