"""One person, one record on a store written before national ids were claimed: the
backfill claims each id for the volunteer registered first with it, and names the later
registrations of the same person instead of choosing between them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from application.commands.people import RegisterVolunteer
from domain.registry import DuplicateNationalId
from domain.values import PersonType, national_id_check_char
from domain.volunteer import Volunteer
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.integration.builders import STAFF

ONE = "15010219800101009"
TWO = "15010219800101001"


def _id(first17: str) -> str:
    return first17 + national_id_check_char(first17)


def _registered_before_claims(container: Container, national_id: str) -> UUID:
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
    container.ledger.record(volunteer)
    return volunteer.id


def _register(container: Container, national_id: str) -> UUID:
    return container.ledger.register_volunteer(
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


def test_the_backfill_claims_each_id_for_its_first_registration_and_names_the_rest(
    container: Container,
) -> None:
    first = _registered_before_claims(container, _id(ONE))
    again = _registered_before_claims(container, _id(ONE).lower())  # the same person
    other = _registered_before_claims(container, _id(TWO))
    # Before the backfill the old store still takes a third registration of the person.
    third = _registered_before_claims(container, _id(ONE))

    done = container.ledger.claim_unclaimed_national_ids(actor=STAFF)

    assert sorted(done.claimed) == sorted([first, other])
    assert done.already == 0
    assert sorted(done.duplicates) == sorted([(again, first), (third, first)])
    with pytest.raises(DuplicateNationalId) as refused:
        _register(container, _id(ONE))
    assert refused.value.existing_volunteer_id == first


def test_a_second_run_claims_nothing_and_counts_what_registrations_claimed(
    container: Container,
) -> None:
    old = _registered_before_claims(container, _id(ONE))
    new = _register(container, _id(TWO))  # claimed by its registration
    container.ledger.claim_unclaimed_national_ids(actor=STAFF)
    before = container.ledger.current_position()

    done = container.ledger.claim_unclaimed_national_ids(actor=STAFF)

    assert (done.claimed, done.already, done.duplicates) == ([], 2, [])
    assert container.ledger.current_position() == before  # nothing recorded
    with pytest.raises(DuplicateNationalId) as refused:
        _register(container, _id(ONE))
    assert refused.value.existing_volunteer_id == old
    assert new != old


def test_the_command_line_lists_duplicates_and_exits_1(tmp_path: Path) -> None:
    """The same code on both stores: run once, on a SQLite file."""
    store = Settings(database_url=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    container = bootstrap(store)
    first = _registered_before_claims(container, _id(ONE))
    again = _registered_before_claims(container, _id(ONE))
    container.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = store.database_url
    env["VL_SEAL_KEY_PATH"] = str(tmp_path / "seal-key.pem")
    run = subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "volunteers", "claim-ids"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1, run.stdout + run.stderr
    assert "national ids claimed now: 1" in run.stdout
    assert f"duplicate: volunteer {again} has the national id of volunteer {first}" in run.stdout
