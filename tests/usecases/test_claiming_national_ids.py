"""Claiming the national ids of volunteers registered before ids were claimed: the
first registration of a person gets the id, the later ones are named, a second run
claims nothing."""

from __future__ import annotations

import pytest

from application.ledger import VolunteerLedger
from domain.registry import DuplicateNationalId
from tests.support.builders import STAFF
from tests.support.registrations import ONE, TWO, national_id_of, register, registered_before_claims


def test_the_backfill_claims_each_id_for_its_first_registration_and_names_the_rest(
    ledger: VolunteerLedger,
) -> None:
    first = registered_before_claims(ledger, national_id_of(ONE))
    again = registered_before_claims(ledger, national_id_of(ONE).lower())  # the same person
    other = registered_before_claims(ledger, national_id_of(TWO))
    # Before the backfill the old store still takes a third registration of the person.
    third = registered_before_claims(ledger, national_id_of(ONE))

    done = ledger.claim_unclaimed_national_ids(actor=STAFF)

    assert sorted(done.claimed) == sorted([first, other])
    assert done.already == 0
    assert sorted(done.duplicates) == sorted([(again, first), (third, first)])
    with pytest.raises(DuplicateNationalId) as refused:
        register(ledger, national_id_of(ONE))
    assert refused.value.existing_volunteer_id == first


def test_a_second_run_claims_nothing_and_counts_what_registrations_claimed(
    ledger: VolunteerLedger,
) -> None:
    old = registered_before_claims(ledger, national_id_of(ONE))
    new = register(ledger, national_id_of(TWO))  # claimed by its registration
    ledger.claim_unclaimed_national_ids(actor=STAFF)
    before = ledger.current_position()

    done = ledger.claim_unclaimed_national_ids(actor=STAFF)

    assert (done.claimed, done.already, done.duplicates) == ([], 2, [])
    assert ledger.current_position() == before  # nothing recorded
    with pytest.raises(DuplicateNationalId) as refused:
        register(ledger, national_id_of(ONE))
    assert refused.value.existing_volunteer_id == old
    assert new != old
