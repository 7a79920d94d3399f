"""Drawing pages: the Jinja2 environment, times in Asia/Shanghai, and SVG bar charts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from interfaces.web.messages import field_label, label

SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = Path(__file__).parent

templates = Jinja2Templates(directory=HERE / "templates")


MINUTE = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"


def shanghai(value: Any, shown_as: str = MINUTE) -> str:
    """An RFC 3339 time (or datetime) shown in Asia/Shanghai, as 2022-05-11 09:00 (or, with
    ``DAY``, 2022-05-11)."""
    if value in (None, ""):
        return ""
    moment = _as_datetime(value)
    if moment is None:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return moment.strftime(shown_as)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def end_of_day(day: date) -> datetime:
    """The last moment of a day in Asia/Shanghai: "as known on 2023-01-15" includes that day."""
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def known_at(day: date | None) -> datetime | None:
    """A cut "as known on ``day``" (its end, :func:`end_of_day`); None, as known now."""
    return end_of_day(day) if day else None


def local_input(value: str) -> str:
    """A ``datetime-local`` field's value as RFC 3339 in Asia/Shanghai (an offset is kept)."""
    text = value.strip()
    moment = _as_datetime(text)
    if moment is None:
        return text  # empty, or not a time: the schema names the field and the rule
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.isoformat()


def number(value: Any) -> str:
    try:
        figure = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return f"{figure.normalize():f}" if figure == figure.to_integral() else f"{figure:f}"


templates.env.filters["sh"] = shanghai
templates.env.filters["day"] = lambda v: shanghai(v, DAY)
templates.env.filters["zh"] = label
templates.env.filters["field"] = field_label
templates.env.filters["num"] = number
templates.env.globals["new_key"] = lambda: secrets.token_urlsafe(16)


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""


def bar_chart(bars: list[Bar], *, title: str, unit: str, width: int = 420) -> Markup:
    """A horizontal bar chart as inline SVG, drawn on the server (no script, no fonts fetched).

    Each bar's whole label is written on its own line above the bar, so a long station name
    is neither cut short nor shrunk: the drawing is about as wide as a dashboard card, and
    its 15px text stays near that size when the card scales it. It carries a title and a
    description for screen readers; each bar its figure as text."""
    layout = _Layout.of(bars, width)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {layout.height}" '
        f'width="100%" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(title)}，单位：{escape(unit)}，共 {len(bars)} 项</desc>',
    ]
    parts += [layout.bar(i, bar) for i, bar in enumerate(bars)]
    parts.append("</svg>")
    return Markup("".join(parts))


RIGHT_MARGIN = 80  # a bar's figure is written right of it


@dataclass(frozen=True)
class _Layout:
    """Where a chart's labels and bars go. Short labels (months) sit left of their bars;
    longer ones (station names) get a line of their own above the bar, written whole."""

    beside: bool
    left: int
    row: int
    label_line: int
    bar_height: int
    height: int
    top: float
    span: int

    @classmethod
    def of(cls, bars: list[Bar], width: int) -> _Layout:
        longest = max((len(b.label) for b in bars), default=0)
        beside = longest * 15 <= 60
        left, row, label_line, bar_height = (
            (longest * 15 + 10, 26, 4, 18) if beside else (0, 44, 18, 16)
        )
        return cls(
            beside=beside,
            left=left,
            row=row,
            label_line=label_line,
            bar_height=bar_height,
            height=max(1, len(bars)) * row + 6,
            top=max((b.value for b in bars), default=0.0) or 1.0,
            span=width - left - RIGHT_MARGIN,
        )

    def bar(self, i: int, bar: Bar) -> str:
        """The ``i``th bar: its label, its bar (with its figure as a tooltip) and its figure."""
        left, label_line, bar_height = self.left, self.label_line, self.bar_height
        y = 4 + i * self.row
        w = max(1.0, self.span * bar.value / self.top) if bar.value > 0 else 0.0
        figure = escape(bar.note or _figure(bar.value))
        baseline = y + label_line + bar_height - 3
        label_at = (
            f'x="{left - 8}" y="{baseline}" text-anchor="end"'
            if self.beside
            else f'x="0" y="{y + label_line - 4}"'
        )
        return (
            f'<text {label_at} class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{left}" y="{y + label_line}" width="{w:.1f}" height="{bar_height}" '
            f'class="chart-bar"><title>{escape(bar.label)}：{figure}</title></rect>'
            f'<text x="{left + w + 6:.1f}" y="{baseline}" class="chart-value">{figure}</text>'
        )


def _figure(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")
