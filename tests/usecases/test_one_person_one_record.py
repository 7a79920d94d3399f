"""One person, one record: a national id registers one volunteer."""

from __future__ import annotations

import pytest

from application.commands.people import RegisterVolunteer, WithdrawVolunteer
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from domain.registry import DuplicateNationalId
from domain.values import PersonType, national_id_check_char
from tests.support.builders import STAFF

FIRST17 = "15010219800101009"  # its check character is X


def _register(ledger: VolunteerLedger, national_id: str, name: str = "王建国"):
    return ledger.register_volunteer(
        RegisterVolunteer(
            name=name,
            national_id=national_id,
            phone="13800000000",
            person_type=PersonType.VETERAN,
            township="巴彦镇",
            skills=[],
        ),
        actor=STAFF,
    )


def test_a_second_registration_of_one_national_id_is_refused_naming_the_first(
    ledger: VolunteerLedger,
) -> None:
    assert national_id_check_char(FIRST17) == "X"
    first = _register(ledger, f"{FIRST17}X")
    before = ledger.current_position()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in FIRST17) + "ｘ"

    with pytest.raises(DuplicateNationalId) as refused:
        _register(ledger, full_width, name="王建国（重复）")

    assert refused.value.rule == "duplicate-national-id"
    assert refused.value.existing_volunteer_id == first.id
    assert str(first.id) in str(refused.value)
    assert ledger.current_position() == before  # nothing recorded


def test_a_withdrawn_volunteer_keeps_the_national_id(ledger: VolunteerLedger) -> None:
    first = _register(ledger, f"{FIRST17}X")
    ledger.withdraw_volunteer(
        WithdrawVolunteer(volunteer_id=first.id, reason="迁出本旗"), actor=STAFF
    )

    with pytest.raises(DomainError) as refused:
        _register(ledger, f"{FIRST17}x")

    assert refused.value.rule == "duplicate-national-id"


def test_different_people_register_side_by_side(ledger: VolunteerLedger) -> None:
    other17 = "15010219800101001"
    first = _register(ledger, f"{FIRST17}X")
    second = _register(ledger, other17 + national_id_check_char(other17))
    assert first.id != second.id
