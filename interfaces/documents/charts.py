"""Bar charts as inline SVG for documents: black and white, labelled, deterministic.

Hand-drawn rather than a plotting library: a bar chart is a few rectangles, and the
same figures must give the same bytes in the PDF.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

FONT_FAMILY = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


def _fmt(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


FONT_SIZE = 10
# At most this share of the width goes to the labels; a longer label is shortened in the
# middle (the start and the end of a station's or team's name tell it apart).
LABEL_SHARE = 0.45


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """The width of ``text`` in the CJK font, near enough: a wide character is one em,
    others (digits, Latin, punctuation) about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def fitted(text: str, room: float) -> str:
    """``text`` if it fits in ``room``, else its start and its end around an ellipsis."""
    if text_width(text) <= room:
        return text
    for keep in range(len(text) - 1, 0, -1):
        head, tail = text[: (keep + 1) // 2], text[len(text) - keep // 2 :] if keep > 1 else ""
        short = f"{head}…{tail}"
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
    gap = 6
    widest = max((text_width(b.label) for b in bars), default=0.0)
    label_width = int(min(widest + 12, width * LABEL_SHARE))
    top = 24
    height = top + max(1, len(bars)) * (bar_height + gap) + 8
    peak = max((b.value for b in bars), default=Decimal(0))
    room = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT_FAMILY}">',
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{top + 12}" font-size="10">无数据</text>')
    for i, bar in enumerate(bars):
        y = top + i * (bar_height + gap)
        length = 0 if peak <= 0 else int(room * max(bar.value, Decimal(0)) / peak)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" font-size="10" '
            f'text-anchor="end">{escape(fitted(bar.label, label_width - 8))}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="#555" stroke="#000" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 4}" y="{y + bar_height - 4}" '
            f'font-size="10">{_fmt(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
