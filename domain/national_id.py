"""Resident identity numbers (GB 11643): the check character and the stored form."""

from __future__ import annotations

from domain.errors import rule_violation

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Chinese input methods type full-width digits and letters: store them as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def national_id_check_char(first17: str) -> str:
    """The check character of a resident identity number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_national_id(raw: str) -> str:
    """Validate an 18-character national id number and return it upper-cased."""
    value = raw.strip().translate(_FULL_WIDTH).upper()
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()):
        raise rule_violation(
            "national-id-format",
            f"national_id {raw!r} must be 18 characters: 17 digits and a check character",
        )
    expected = national_id_check_char(value[:17])
    if value[17] != expected:
        raise rule_violation(
            "national-id-check",
            f"national_id {raw!r} has check character {value[17]!r}, expected {expected!r}",
        )
    return value
