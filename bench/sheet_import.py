"""Sign-in sheet imports over HTTP on PostgreSQL: the same 2,000 rows as the Excel sheet
(``…/sheet.xlsx`` downloaded, filled, uploaded) and as a CSV, each in one request to
``POST /activities/{id}/hours/bulk``: records/s (target ≥ 5,000 for both, DESIGN.md).

The server is a real ``serve`` with its projection worker in another process (as
``http_api``); setup registers and insures the volunteers over HTTP, signs them up to the
Excel sheet's activity (the sheet lists the signed-up; a CSV names its own rows) and waits
for the projections to settle before anything is timed. The Excel sheet is filled with
openpyxl (a date-time per cell, as Excel stores what a clerk types).
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date, datetime

import httpx
from openpyxl import load_workbook

from bench.http_api import ADMIN_URL, _post, server, settle
from bench.record_hours import postgres_reachable, postgres_store
from domain.values import national_id_check_char

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOWNSHIP = "巴彦镇"


def _setup(client: httpx.Client, rows: int) -> tuple[list[str], str, str]:
    station = _post(
        client,
        "/api/v1/stations",
        {"name": "签到压测服务站", "level": "township", "township": TOWNSHIP},
    )["id"]
    team = _post(
        client,
        "/api/v1/teams",
        {"name": "签到压测队", "level": "township", "township": TOWNSHIP, "station_id": station},
    )["id"]
    people = []
    for i in range(rows):
        first17 = f"15020319850{i:05d}3"[:17]
        vid = _post(
            client,
            "/api/v1/volunteers",
            {
                "name": f"签到表{i}",
                "national_id": first17 + national_id_check_char(first17),
                "phone": "",
                "person_type": "veteran",
                "township": TOWNSHIP,
                "skills": [],
            },
        )["id"]
        _post(
            client,
            f"/api/v1/volunteers/{vid}/insurance",
            {
                "policy_number": f"Q-{i}",
                "insurer": "中国人保",
                "kind": "group",
                "covers_from": "2022-01-01",
                "covers_to": "2022-12-31",
                "sum_insured": "100000",
            },
        )
        people.append(vid)
    acts = []
    for day in ("2022-06-01", "2022-06-02"):
        aid = _post(
            client,
            "/api/v1/activities",
            {
                "title": f"大型活动{day}",
                "category": "civilized_city",
                "team_id": team,
                "township": TOWNSHIP,
                "station_id": station,
                "location": "体育场",
                "starts_at": f"{day}T08:00:00+08:00",
                "ends_at": f"{day}T18:00:00+08:00",
                "beneficiary_types": ["public"],
                "capacity": rows,
            },
        )["id"]
        if not acts:  # the Excel sheet lists the signed-up; a CSV names its own rows
            for vid in people:
                _post(client, f"/api/v1/activities/{aid}/signups", {"volunteer_id": vid})
        acts.append(aid)
    return people, acts[0], acts[1]


def _filled_sheet(client: httpx.Client, aid: str, day: date) -> tuple[bytes, float]:
    """The downloaded sheet with every row filled in, and the download's seconds."""
    began = time.perf_counter()
    r = client.get(f"/api/v1/activities/{aid}/sheet.xlsx")
    download = time.perf_counter() - began
    assert r.status_code == 200, r.text[:300]
    workbook = load_workbook(io.BytesIO(r.content))
    sheet = workbook.active
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 4).value and len(str(sheet.cell(row, 4).value)) == 36:
            sheet.cell(row, 5).value = datetime(day.year, day.month, day.day, 9, 0)
            sheet.cell(row, 6).value = datetime(day.year, day.month, day.day, 12, 0)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), download


def _timed(client: httpx.Client, aid: str, body: bytes, media_type: str) -> float:
    began = time.perf_counter()
    r = client.post(
        f"/api/v1/activities/{aid}/hours/bulk", content=body, headers={"Content-Type": media_type}
    )
    seconds = time.perf_counter() - began
    assert r.status_code == 200, r.text[:500]
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sheet_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=2000, help="rows in each sheet")
    args = parser.parse_args(argv)
    if (problem := postgres_reachable(ADMIN_URL)) is not None:
        print(f"PostgreSQL unreachable, sheet_import skipped: {problem}")
        return 0
    with (
        postgres_store(ADMIN_URL) as settings,
        server(settings, 1) as (base, headers),
        httpx.Client(base_url=f"{base}", headers=headers, timeout=300) as client,
    ):
        settle(client)
        people, by_excel, by_csv = _setup(client, args.rows)
        sheet, download = _filled_sheet(client, by_excel, date(2022, 6, 1))
        csv = "volunteer_id,started_at,ended_at,source\r\n" + "".join(
            f"{vid},2022-06-02T09:00:00+08:00,2022-06-02T12:00:00+08:00,checkin\r\n"
            for vid in people
        )
        settle(client)
        excel_s = _timed(client, by_excel, sheet, XLSX)
        csv_s = _timed(client, by_csv, csv.encode("utf-8-sig"), "text/csv")
    print(
        f"Excel sheet download ({args.rows:,} volunteers): {download * 1000:.0f} ms, "
        f"{len(sheet):,} bytes filled"
    )
    print(
        f"Excel sheet import: {args.rows:,} rows in {excel_s:.2f} s = "
        f"{args.rows / excel_s:,.0f} records/s (target ≥ 5,000)"
    )
    print(
        f"CSV sheet import:   {args.rows:,} rows in {csv_s:.2f} s = "
        f"{args.rows / csv_s:,.0f} records/s (target ≥ 5,000)"
    )
    return 0
