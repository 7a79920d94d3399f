"""Records a demo year lacks that the documents' tests need: text a spreadsheet would take
for a formula, a courtesy voucher inside the cut, and a media report after the cut."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from application.commands.activities import RecordMedia
from application.commands.people import RedeemPoints
from application.readmodel.tables import ACCOUNT, ACTIVITY, STATION
from domain.values import MediaLevel
from infrastructure.bootstrap import Container
from tests.support.builders import STAFF, volunteer

FORMULA_OUTLET = '=HYPERLINK("https://example.cn","点此查看")'
FORMULA_NAME = "@王建国"
LATE_OUTLET = "截止后报道的媒体"


def township_activity(container: Container, year: int = 2022) -> UUID:
    """The first verified activity of ``year`` held by a township station."""
    container.catch_up()
    store = container.store
    township = {s["station_id"] for s in store.select(STATION) if s["level"] == "township"}
    found = sorted(
        a["activity_id"]
        for a in store.select(ACTIVITY, {"status": "verified"})
        if a["station_id"] in township and str(a["start_date"]).startswith(str(year))
    )
    return UUID(found[0])


def record_formula_text(container: Container) -> UUID:
    """A media report whose outlet begins with ``=`` on a township station's activity, and
    a volunteer whose name begins with ``@``; the activity's id."""
    aid = township_activity(container)
    container.ledger.record_media(
        RecordMedia(
            activity_id=aid,
            outlet=FORMULA_OUTLET,
            level=MediaLevel.CITY,
            url="https://example.cn/report/1",
            published_on=date(2022, 12, 20),
        ),
        actor=STAFF,
    )
    volunteer(container.ledger, name=FORMULA_NAME)
    return aid


def redeem_a_free_benefit(container: Container) -> str:
    """The volunteer with the most lifetime points redeems a benefit their tier gives free;
    the benefit's code."""
    container.catch_up()
    richest = max(container.store.select(ACCOUNT), key=lambda r: Decimal(r["lifetime_points"]))
    rules = container.ledger.rules_today()
    tier = rules.courtesy_tier(Decimal(richest["lifetime_points"]))
    assert tier is not None, "the demo year gave nobody a courtesy tier"
    free = sorted(code for code, b in rules.benefits_for(tier).items() if b.points == 0)
    container.ledger.redeem_points(
        RedeemPoints(volunteer_id=UUID(richest["volunteer_id"]), benefit=free[0]), actor=STAFF
    )
    return free[0]


def record_late_media(container: Container, activity_id: UUID) -> None:
    """A media report recorded after the documents' cut (published inside the year)."""
    container.ledger.record_media(
        RecordMedia(
            activity_id=activity_id,
            outlet=LATE_OUTLET,
            level=MediaLevel.BANNER,
            url="https://example.cn/report/late",
            published_on=date(2022, 12, 30),
        ),
        actor=STAFF,
    )


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool) -> str:
    """The PDF's text by pdftotext: laid out (a table row on one line) or in reading
    order (a wrapped cell's text in one piece)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def row_on_a_line(text: str, cells: list[Any]) -> bool:
    """Does a line of ``text`` hold ``cells`` in order, separated by blanks only?"""
    pattern = r"\s+".join(re.escape(str(c)) for c in cells)
    return any(re.search(pattern, line) for line in text.splitlines())
