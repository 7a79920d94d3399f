"""The ledger's text rules: what any text a command brings may hold, and how long it may be."""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.errors import invalid_value, rule_violation

TEXT_MAX = 500  # a name, title or place: one line
LONG_TEXT_MAX = 2000  # a reason or comment: may have line breaks
LIST_MAX = 50  # items in a list of short texts (a volunteer's skills)

# What no stored text may hold: C0 and C1 control characters (NUL, ESC — the start of
# every ANSI escape —, CR, LF, DEL …), the line and paragraph separators, the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make a name read
# backwards in a list or a log), and lone surrogates (not characters at all: they cannot
# be encoded as UTF-8, so no database or file could hold them).
_FORBIDDEN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# Multi-line text also takes line breaks (LF, or CRLF as browsers send a textarea) and tabs.
_FORBIDDEN_MULTILINE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
    "|\r(?!\n)"
)

# The longest text of each kind when a field names no limit of its own (by ``multiline``).
_DEFAULT_MAX = {False: TEXT_MAX, True: LONG_TEXT_MAX}


def require_filled(thing: str, *fields: tuple[str, str]) -> None:
    """Refuse (``required-field``) the first of ``fields`` (name, value) left blank, as
    "<thing> <name> must not be empty"."""
    for field, value in fields:
        require_nonblank(value, "required-field", f"{thing} {field} must not be empty")


def require_nonblank(value: str, rule: str, refusal: str) -> None:
    """Refuse ``value`` left blank (only spaces) as ``rule``, saying ``refusal``."""
    if not value.strip():
        raise rule_violation(rule, refusal)


def check_text(
    field: str,
    value: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = True,
) -> str:
    """``value`` if it is text a person can read safely wherever it is shown; else
    :class:`~domain.errors.InvalidValue` naming ``field`` and the rule.

    The one place the ledger's text rules live: the aggregates call it on every text a
    command brings, and the HTTP schemas call it too (so the edge says the same thing, as
    a 422). One-line text (names, titles, places) refuses every control character, CR/LF
    included; ``multiline`` text (reasons, comments) takes line breaks and tabs.
    """
    limit = _DEFAULT_MAX[multiline] if max_length is None else max_length
    if not isinstance(value, str):
        raise invalid_value(field, "text-type", f"{field} must be text")
    if required and not value.strip():
        raise invalid_value(field, "required-field", f"{field} must not be empty")
    if len(value) > limit:
        raise invalid_value(
            field,
            "text-length",
            f"{field} has {len(value):,} characters; at most {limit:,} are allowed",
        )
    _check_characters(field, value, multiline)
    return value


def _check_characters(field: str, value: str, multiline: bool) -> None:
    bad = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_LINE).search(value)
    if bad is None:
        return
    char = bad.group()
    rule = (
        "it may hold line breaks and tabs but no other control character"
        if multiline
        else "it is one line of text: no control characters, line breaks included"
    )
    raise invalid_value(
        field,
        "text-characters",
        f"{field} contains U+{ord(char):04X} ({_kind(char)}) at character "
        f"{bad.start() + 1}; {rule}, no bidi overrides and no lone surrogates",
    )


def check_texts(
    field: str, values: Iterable[str], *, max_items: int = LIST_MAX, max_length: int = 100
) -> list[str]:
    """Each of ``values`` checked as one-line text (named ``field[i]``), at most ``max_items``."""
    items = list(values)
    if len(items) > max_items:
        raise invalid_value(
            field,
            "list-length",
            f"{field} has {len(items):,} items; at most {max_items:,} are allowed",
        )
    # Blank items are allowed: the aggregates drop them.
    return [
        check_text(f"{field}[{i}]", v, max_length=max_length, required=False)
        for i, v in enumerate(items)
    ]


# What a forbidden character is, in words: (first, last code point, kind), first match wins.
_KINDS = (
    (0x0A, 0x0A, "a line break"),
    (0x0D, 0x0D, "a line break"),
    (0x00, 0x00, "NUL"),
    (0x1B, 0x1B, "ESC, as in an ANSI escape sequence"),
    (0xD800, 0xDFFF, "a lone surrogate"),
    (0x202A, 0x202E, "a bidi override"),
    (0x2066, 0x2069, "a bidi override"),
    (0x2028, 0x2029, "a line separator"),
)


def _kind(char: str) -> str:
    code = ord(char)
    return next(
        (kind for first, last, kind in _KINDS if first <= code <= last), "a control character"
    )
