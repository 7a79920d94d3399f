"""What the office reads to buy insurance: who is uncovered on a date, which policies run out
soon. Volunteers from the directory, policies from the insurance read model."""

from __future__ import annotations

from datetime import date, timedelta

from application.readmodel.queries.reads import given, grouped
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import POLICY, VOLUNTEER


def uncovered_on(store: RowReader, day: date, township: str | None = None) -> list[Row]:
    """Active volunteers no (uncancelled) policy covers on ``day``: who to insure; each with
    the last cover that ended before it, if any."""
    text = day.isoformat()
    policies = grouped(store.select(POLICY, {"cancelled": 0}), "volunteer_id")
    active = store.select(
        VOLUNTEER, given(status="active", township=township), order_by=("volunteer_id",)
    )
    rows = []
    for v in active:
        held = policies.get(v["volunteer_id"], [])
        if not _covers(held, text):
            rows.append(_uncovered(v, held, text))
    return sorted(rows, key=lambda r: (r["township"], r["name"], r["volunteer_id"]))


def _covers(policies: list[Row], day: str) -> bool:
    return any(p["covers_from"] <= day <= p["covers_to"] for p in policies)


def _uncovered(volunteer: Row, policies: list[Row], day: str) -> Row:
    return {
        "volunteer_id": volunteer["volunteer_id"],
        "name": volunteer["name"],
        "township": volunteer["township"],
        "phone": volunteer["phone"],
        "last_covered_to": max(
            (p["covers_to"] for p in policies if p["covers_to"] < day), default=None
        ),
    }


def expiring_within(store: RowReader, today: date, days: int) -> list[Row]:
    """Uncancelled policies whose cover ends from ``today`` to ``days`` days after it, soonest
    first, with the holder's name, township and status."""
    ending = _ending(store, today, today + timedelta(days=days))
    holders = _holders(store, ending)
    rows = [_expiring(p, holders.get(p["volunteer_id"], {}), today) for p in ending]
    return sorted(rows, key=_soonest)


def _ending(store: RowReader, first: date, last: date) -> list[Row]:
    """The uncancelled policies whose cover ends from ``first`` to ``last``."""
    low, high = first.isoformat(), last.isoformat()
    return [p for p in store.select(POLICY, {"cancelled": 0}) if low <= p["covers_to"] <= high]


def _soonest(row: Row) -> tuple[str, str, str]:
    """Expiring cover in order: soonest, then by township and name (a holder no longer
    in the directory has neither)."""
    return row["covers_to"], row["township"] or "", row["name"] or ""


def _holders(store: RowReader, policies: list[Row]) -> dict[str, Row]:
    """The volunteers holding ``policies``, by id."""
    if not policies:
        return {}
    ids = sorted({p["volunteer_id"] for p in policies})
    return {v["volunteer_id"]: v for v in store.select(VOLUNTEER, within=("volunteer_id", ids))}


def _expiring(policy: Row, holder: Row, today: date) -> Row:
    return {
        "volunteer_id": policy["volunteer_id"],
        "name": holder.get("name"),
        "township": holder.get("township"),
        "status": holder.get("status"),
        "policy_number": policy["policy_number"],
        "insurer": policy["insurer"],
        "kind": policy["kind"],
        "covers_to": policy["covers_to"],
        "days_left": (date.fromisoformat(policy["covers_to"]) - today).days,
    }
