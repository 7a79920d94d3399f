"""One person, one record: the claim on a national id is keyed by the normalised id."""

from __future__ import annotations

from uuid import uuid4

from domain.registry import NationalIdClaim, national_id_claim_id
from domain.values import national_id_check_char, normalise_national_id

FIRST17 = "15010219800101009"  # its check character is X


def test_every_spelling_of_one_national_id_claims_the_same_id() -> None:
    # Given one id spelt in capitals, padded in lower case, and in full-width characters
    assert national_id_check_char(FIRST17) == "X"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in FIRST17) + "ｘ"
    spellings = [f"{FIRST17}X", f" {FIRST17}x ", full_width]

    # When each is normalised and its claim id derived
    claims = {national_id_claim_id(normalise_national_id(s)) for s in spellings}

    # Then they name one claim
    assert len(claims) == 1


def test_another_national_id_claims_another_id() -> None:
    # Given another valid id, when its claim id is derived, then it differs
    other17 = "15010219800101001"
    other = other17 + national_id_check_char(other17)
    assert national_id_claim_id(other) != national_id_claim_id(f"{FIRST17}X")


def test_a_claim_names_the_volunteer_and_not_the_number(actor, names) -> None:
    # Given a volunteer
    volunteer_id = uuid4()

    # When their national id is claimed
    claim = NationalIdClaim.claim(national_id=f"{FIRST17}X", volunteer_id=volunteer_id, actor=actor)

    # Then the claim, keyed by the id, names the volunteer and not the number
    events = claim.collect_events()
    assert names(events) == ["Claimed"]
    assert claim.id == national_id_claim_id(f"{FIRST17}X")
    assert events[0].volunteer_id == volunteer_id and events[0].actor == actor
    assert FIRST17 not in repr(events[0])
