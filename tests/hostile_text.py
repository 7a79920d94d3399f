"""Hostile strings for the text rules, and an oracle of what each field must refuse.

The oracle is written from the rules as stated (issue 13), not from
``domain.values.check_text``: a test comparing the two fails if either drifts.
"""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

HOSTILE_CHARS = [
    "\x00",  # NUL: PostgreSQL text cannot hold it
    "\x1b",  # ESC, as in "\x1b[31m"
    "\x07",
    "\x08",
    "\t",
    "\n",
    "\r",
    "\x7f",
    "\x85",  # C1 NEXT LINE
    "\x9b",  # C1 CSI
    "\u2028",
    "\u2029",
    "\u202a",
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",
    "\u2069",
    "\ud800",  # lone surrogates
    "\udfff",
    "\ufeff",  # allowed: a zero-width no-break space is a format character, not a control
    "\u200b",
    "\U0001f600",
]

_hostile_char = st.sampled_from(HOSTILE_CHARS)
_any_char = st.one_of(st.characters(), _hostile_char)


def _spliced(parts: tuple[str, str, str]) -> str:
    return "".join(parts)


def hostile_text() -> st.SearchStrategy[str]:
    """Short text mixing any character with controls, bidi overrides and lone surrogates;
    Chinese names with one hostile character inside; ANSI colour codes; and very long text."""
    return st.one_of(
        st.text(_any_char, max_size=30),
        st.tuples(st.text(max_size=6), _hostile_char, st.text(max_size=6)).map(_spliced),
        st.sampled_from(["王建国", "巴彦镇", "急救", " ", "", "\x1b[31m王\x1b[0m", "a\r\nb"]),
        st.integers(min_value=95, max_value=2100).map(lambda n: "长" * n),
    )


def refused_characters(text: str, *, multiline: bool) -> bool:
    """Does ``text`` hold a character the rules refuse in such a field?"""
    for i, ch in enumerate(text):
        if multiline and (ch in "\n\t" or (ch == "\r" and text[i + 1 : i + 2] == "\n")):
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS:
            return True
    return False


def refused(text: str, *, multiline: bool, required: bool, max_length: int) -> bool:
    """Would a field of this kind refuse ``text`` (422 at the edge)?"""
    return (
        refused_characters(text, multiline=multiline)
        or len(text) > max_length
        or (required and not text.strip())
    )
