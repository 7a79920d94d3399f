"""What the office reads to buy insurance: who is uncovered on a date, which policies run out
soon. Volunteers from the directory, policies from the insurance read model."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from application.readmodel.store import Row, RowReader
from application.readmodel.tables import POLICY, VOLUNTEER


def _live_policies(store: RowReader) -> dict[str, list[Row]]:
    by_volunteer: dict[str, list[Row]] = defaultdict(list)
    for p in store.select(POLICY, {"cancelled": 0}):
        by_volunteer[p["volunteer_id"]].append(p)
    return by_volunteer


def uncovered_on(store: RowReader, day: date, township: str | None = None) -> list[Row]:
    """Active volunteers no (uncancelled) policy covers on ``day``: who to insure; each with
    the last cover that ended before it, if any."""
    text = day.isoformat()
    policies = _live_policies(store)
    eq = {"status": "active", **({"township": township} if township else {})}
    rows = []
    for v in store.select(VOLUNTEER, eq, order_by=("volunteer_id",)):
        held = policies.get(v["volunteer_id"], [])
        if any(p["covers_from"] <= text <= p["covers_to"] for p in held):
            continue
        ended = [p["covers_to"] for p in held if p["covers_to"] < text]
        rows.append(
            {
                "volunteer_id": v["volunteer_id"],
                "name": v["name"],
                "township": v["township"],
                "phone": v["phone"],
                "last_covered_to": max(ended) if ended else None,
            }
        )
    return sorted(rows, key=lambda r: (r["township"], r["name"], r["volunteer_id"]))


def expiring_within(store: RowReader, today: date, days: int) -> list[Row]:
    """Uncancelled policies whose cover ends from ``today`` to ``days`` days after it, soonest
    first, with the holder's name, township and status."""
    first, last = today.isoformat(), (today + timedelta(days=days)).isoformat()
    ending = [p for p in store.select(POLICY, {"cancelled": 0}) if first <= p["covers_to"] <= last]
    holders = (
        {
            v["volunteer_id"]: v
            for v in store.select(
                VOLUNTEER, within=("volunteer_id", sorted({p["volunteer_id"] for p in ending}))
            )
        }
        if ending
        else {}
    )
    rows = []
    for p in ending:
        holder = holders.get(p["volunteer_id"], {})
        rows.append(
            {
                "volunteer_id": p["volunteer_id"],
                "name": holder.get("name"),
                "township": holder.get("township"),
                "status": holder.get("status"),
                "policy_number": p["policy_number"],
                "insurer": p["insurer"],
                "kind": p["kind"],
                "covers_to": p["covers_to"],
                "days_left": (date.fromisoformat(p["covers_to"]) - today).days,
            }
        )
    return sorted(rows, key=lambda r: (r["covers_to"], r["township"] or "", r["name"] or ""))
