"""The marker of a person's data in a contract (pure: a contract module that imports it imports
nothing of the store). What is done with marked fields — sealing them in the store, erasing their
keys — is `events.personal_data` (docs/decisions/0004-personal-data.md).

    class Contact(_Value):
        name: Annotated[str, PERSONAL] = Field(min_length=1)
        customer_id: UUID | None = None
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalData:
    """The marker: this field is a person's data. `subject` names the sibling field that holds
    the data subject's id."""

    subject: str = "customer_id"


PERSONAL = PersonalData()
