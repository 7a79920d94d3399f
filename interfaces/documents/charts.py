"""Bar charts as inline SVG for documents: black and white, labelled, deterministic.

Hand-drawn rather than a plotting library: a bar chart is a few rectangles, and the
same figures must give the same bytes in the PDF.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

FONT_FAMILY = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


def bars(rows: Iterable[Mapping[str, Any]], label: str, value: str) -> list[Bar]:
    """A bar per row: its ``label`` field, and its ``value`` field (a count, or the JSON's
    exact decimal text) as the length."""
    return [Bar(row[label], Decimal(row[value])) for row in rows]


def ranked(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of a ranking that have a rank (a unit with no activity has none, and no
    score to draw)."""
    return [row for row in rows if row["rank"] is not None]


def _fmt(value: Decimal) -> str:
    # Quantized to hundredths, the text always has a point: "12.50" -> "12.5", "3.00" -> "3".
    return f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")


FONT_SIZE = 10
# At most this share of the width goes to the labels; a longer label is shortened in the
# middle (the start and the end of a station's or team's name tell it apart).
LABEL_SHARE = 0.45


# Wide and full-width characters are one em; the other widths about 0.6 em.
_EMS = {"W": 1.0, "F": 1.0}


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """The width of ``text`` in the CJK font, near enough: a wide character is one em,
    others (digits, Latin, punctuation) about 0.6 em."""
    return sum(size * _EMS.get(unicodedata.east_asian_width(ch), 0.6) for ch in text)


def fitted(text: str, room: float) -> str:
    """``text`` if it fits in ``room``, else its start and its end around an ellipsis."""
    if text_width(text) <= room:
        return text
    for keep in range(len(text) - 1, 0, -1):
        # keep // 2 is 0 when keep is 1: the tail is then empty.
        short = f"{text[: (keep + 1) // 2]}…{text[len(text) - keep // 2 :]}"
        if text_width(short) <= room:
            return short
    return "…"


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 640,
    bar_height: int = 16,
) -> str:
    """Horizontal bars, one row each, the value written after the bar (prints in greys).
    The labels' column is as wide as the longest label needs, up to ``LABEL_SHARE``."""
    label_width = _label_width(bars, width)
    height = _TOP + max(1, len(bars)) * (bar_height + _GAP) + 8
    peak = max((b.value for b in bars), default=Decimal(0))
    room = width - label_width - 70
    rows = [
        _bar_svg(bar, _TOP + i * (bar_height + _GAP), label_width, bar_height, peak, room)
        for i, bar in enumerate(bars)
    ]
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT_FAMILY}">',
            f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
            *(rows or [f'<text x="0" y="{_TOP + 12}" font-size="10">无数据</text>']),
            "</svg>",
        ]
    )


_TOP = 24  # below the title
_GAP = 6  # between bars


def _label_width(bars: Sequence[Bar], width: int) -> int:
    """As wide as the longest label needs (and a margin), up to ``LABEL_SHARE`` of ``width``."""
    widest = max((text_width(b.label) for b in bars), default=0.0)
    return int(min(widest + 12, width * LABEL_SHARE))


def _bar_svg(bar: Bar, y: int, label_width: int, bar_height: int, peak: Decimal, room: int) -> str:
    """One row: the label (shortened to fit), the bar scaled to ``peak``, the value."""
    length = 0 if peak <= 0 else int(room * max(bar.value, Decimal(0)) / peak)
    return (
        f'<text x="{label_width - 6}" y="{y + bar_height - 4}" font-size="10" '
        f'text-anchor="end">{escape(fitted(bar.label, label_width - 8))}</text>'
        f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
        f'fill="#555" stroke="#000" stroke-width="0.5"/>'
        f'<text x="{label_width + length + 4}" y="{y + bar_height - 4}" '
        f'font-size="10">{_fmt(bar.value)}</text>'
    )
