"""One person, one record: the claim on a national id is keyed by the normalised id."""

from __future__ import annotations

from uuid import uuid4

from domain.registry import NationalIdClaim, national_id_claim_id
from domain.values import national_id_check_char, normalise_national_id

FIRST17 = "15010219800101009"  # its check character is X


def test_every_spelling_of_one_national_id_claims_the_same_id() -> None:
    assert national_id_check_char(FIRST17) == "X"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in FIRST17) + "ｘ"
    spellings = [f"{FIRST17}X", f" {FIRST17}x ", full_width]

    claims = {national_id_claim_id(normalise_national_id(s)) for s in spellings}

    assert len(claims) == 1


def test_another_national_id_claims_another_id() -> None:
    other17 = "15010219800101001"
    other = other17 + national_id_check_char(other17)
    assert national_id_claim_id(other) != national_id_claim_id(f"{FIRST17}X")


def test_a_claim_names_the_volunteer_and_not_the_number(actor, names) -> None:
    volunteer_id = uuid4()

    claim = NationalIdClaim.claim(national_id=f"{FIRST17}X", volunteer_id=volunteer_id, actor=actor)

    events = claim.collect_events()
    assert names(events) == ["Claimed"]
    assert claim.id == national_id_claim_id(f"{FIRST17}X")
    assert events[0].volunteer_id == volunteer_id and events[0].actor == actor
    assert FIRST17 not in repr(events[0])
