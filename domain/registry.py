"""One person, one record: a claim on a national id, keyed by a hash of the id.

A claim's id is derived from the normalised national id, so two registrations of the
same person create the same claim: the second's claim cannot be saved beside the
first's (the event store refuses a second version 1 of one aggregate), in any process
and on either store. The claim is saved in the same atomic save as the volunteer it
names. It names the volunteer, not the id number (the volunteer's own registration
holds that); a withdrawn volunteer keeps its claim.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.values import Actor

T = "volunteer-ledger:NationalIdClaim"
_CLAIM_NAMESPACE = uuid5(NAMESPACE_URL, "urn:volunteer-ledger:national-id")


def national_id_claim_id(normalised_national_id: str) -> UUID:
    """The claim's id for a national id already normalised (``normalise_national_id``)."""
    return uuid5(_CLAIM_NAMESPACE, normalised_national_id)


class DuplicateNationalId(DomainError):
    """The national id already belongs to a registered volunteer. When that volunteer has
    withdrawn, coming back is a reinstatement of their record, not a new registration."""

    rule = "duplicate-national-id"

    def __init__(self, existing_volunteer_id: UUID, *, withdrawn: bool = False) -> None:
        if withdrawn:
            message = (
                f"this national id is already registered to volunteer {existing_volunteer_id}, "
                "who has withdrawn: one person has one record, and a withdrawn volunteer "
                "keeps it; reinstate that volunteer instead of registering again"
            )
            message_zh = (
                f"一人一档：该身份证号已登记为志愿者 {existing_volunteer_id}，该志愿者已退出"
                "（已退出的志愿者仍保留其身份证号）。请恢复该志愿者，不得重复登记"
            )
        else:
            message = (
                f"this national id is already registered to volunteer {existing_volunteer_id}: "
                "one person has one record, and a withdrawn volunteer keeps it"
            )
            message_zh = (
                f"一人一档：该身份证号已登记为志愿者 {existing_volunteer_id}"
                "（已退出的志愿者仍保留其身份证号），不得重复登记"
            )
        super().__init__(message, message_zh=message_zh)
        self.existing_volunteer_id = existing_volunteer_id
        self.withdrawn = withdrawn
        self.details = {
            "existing_volunteer_id": str(existing_volunteer_id),
            "existing_volunteer_status": "withdrawn" if withdrawn else "registered",
        }


class NationalIdClaim(Aggregate):
    """The national id (by its hash) belongs to one volunteer."""

    TOPIC = T

    class Created(Aggregate.Created):
        TOPIC = f"{T}.Created"

    class Claimed(Aggregate.Created):
        TOPIC = f"{T}.Claimed"
        volunteer_id: UUID
        actor: Actor

    @event(Claimed)
    def __init__(self, volunteer_id: UUID, actor: Actor) -> None:
        self.volunteer_id = volunteer_id

    @classmethod
    def claim(cls, *, national_id: str, volunteer_id: UUID, actor: Actor) -> NationalIdClaim:
        """Claim a normalised national id for ``volunteer_id``."""
        return cls._create(
            cls.Claimed,
            id=national_id_claim_id(national_id),
            volunteer_id=volunteer_id,
            actor=actor,
        )
