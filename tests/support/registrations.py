"""Volunteers as a store written before national ids were claimed holds them."""

from __future__ import annotations

from uuid import UUID

from application.commands.people import RegisterVolunteer
from application.ledger import VolunteerLedger
from domain.values import PersonType, national_id_check_char
from domain.volunteer import Volunteer
from tests.support.builders import STAFF

ONE = "15010219800101009"
TWO = "15010219800101001"


def national_id_of(first17: str) -> str:
    return first17 + national_id_check_char(first17)


def registered_before_claims(ledger: VolunteerLedger, national_id: str) -> UUID:
    """A volunteer saved the way registrations were saved before the claim existed."""
    volunteer = Volunteer.register(
        name="王建国",
        national_id=national_id,
        phone="13800000000",
        person_type=PersonType.VETERAN,
        township="巴彦镇",
        skills=[],
        actor=STAFF,
    )
    ledger.record(volunteer)
    return volunteer.id


def register(ledger: VolunteerLedger, national_id: str) -> UUID:
    return ledger.register_volunteer(
        RegisterVolunteer(
            name="王建国",
            national_id=national_id,
            phone="13800000000",
            person_type=PersonType.VETERAN,
            township="巴彦镇",
            skills=[],
        ),
        actor=STAFF,
    ).id
