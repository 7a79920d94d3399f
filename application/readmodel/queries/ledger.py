"""A volunteer's point ledger, and incentive eligibility with commendation candidacy for a year."""

from __future__ import annotations

from application.readmodel.queries.reads import Page, Reads, after, from_json, paged
from application.readmodel.store import Row
from application.readmodel.tables import (
    ACCOUNT,
    ELIGIBILITY,
    ENTRY,
)
from application.readmodel.values import dec, num
from domain.commendation import ServiceYear
from domain.rulebook import CommendationRule, Rulebook


class LedgerReads(Reads):
    def ledger(self, volunteer_id: str) -> Row | None:
        account, entries = self.store.get_with(ACCOUNT, (volunteer_id,), ENTRY, order_by=("seq",))
        if account is None:
            return None
        return {
            "volunteer_id": volunteer_id,
            "balance": account["balance"],
            "lifetime_points": account["lifetime_points"],
            "credited_hours": account["credited_hours"],
            "backfilled_hours": account["backfilled_hours"],
            "training_hours": account["training_hours"],
            "position": account["position"],
            "entries": [self._named(_entry(e)) for e in entries],
        }

    def volunteer_eligibility(
        self, *, year: int, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """Per volunteer: star level reached and certified, courtesy tier, and commendation
        candidacy for ``year`` by the rulebook version in force for it: the year's credited
        hours and verified activities, awards of the year withdrawn, and whether a
        commendation for the year is already held (one per period)."""
        rows = self.store.select(
            ELIGIBILITY,
            after=after("volunteer_id", cursor),
            order_by=("volunteer_id",),
            limit=limit + 1,
        )
        page = paged(self._eligibility(rows, year), limit, "volunteer_id")
        page["year"] = year
        page["rules"] = commendation_rules(self.rulebook, year)
        return page

    def volunteer_candidacy(self, volunteer_id: str, year: int) -> Row | None:
        """One volunteer's eligibility and commendation candidacy for ``year`` (as
        :meth:`volunteer_eligibility` lists them); None for no such volunteer."""
        row = self.store.get(ELIGIBILITY, (volunteer_id,))
        return self._eligibility([row], year)[0] if row is not None else None

    def _eligibility(self, rows: list[Row], year: int) -> list[Row]:
        service = self.service_years([r["volunteer_id"] for r in rows], year)
        rule = self.rulebook.for_year(year).commendation
        return [
            _eligibility_row(r, service.get(r["volunteer_id"], ServiceYear()), year, rule)
            for r in rows
        ]

    def service_years(self, volunteer_ids: list[str], year: int) -> dict[str, ServiceYear]:
        """Each volunteer's standing service in ``year`` (by service date), from the ledger."""
        found: dict[str, ServiceYear] = {}
        first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
        for e in self._within(ENTRY, "volunteer_id", volunteer_ids, kind="award"):
            if not first <= str(e["service_date"]) <= last:
                continue
            served = found.setdefault(e["volunteer_id"], ServiceYear())
            served.award(e["activity_id"], dec(e["hours"]))
            if e["reversed"]:
                served.reverse(e["activity_id"], dec(e["hours"]))
        return found


def _eligibility_row(row: Row, served: ServiceYear, year: int, rule: CommendationRule) -> Row:
    """A volunteer's eligibility and candidacy for ``year``, from their service in it."""
    commended = commended_in(row["commendation_periods"], year)
    return {
        "volunteer_id": row["volunteer_id"],
        "name": row["name"],
        "credited_hours": row["credited_hours"],
        "lifetime_points": row["lifetime_points"],
        "star_level_reached": row["star_reached"],
        "star_level_certified": row["star_certified"],
        "courtesy_tier": row["courtesy_tier"],
        "year": year,
        "hours_in_year": num(served.hours),
        "activities_in_year": served.activities,
        "awards_withdrawn_in_year": served.withdrawn,
        "commended_in_year": commended,
        "commendation_candidate": served.qualifies(rule) and not commended,
    }


def _entry(row: Row) -> Row:
    entry = {
        k: row[k]
        for k in (
            "entry_id",
            "kind",
            "points",
            "hours",
            "activity_id",
            "category",
            "service_date",
            "rulebook_version",
            "recorded_at",
            "position",
            "balance_after",
        )
    }
    entry["reversed"] = bool(row["reversed"])
    entry["detail"] = from_json(row["detail"])
    if row["reverses"]:
        entry["reverses"] = row["reverses"]
    return entry


def commended_in(periods_json: str | None, year: int) -> bool:
    """Whether the commendations held (JSON {id: period}) include one for ``year``: a
    period naming the year (``2022``, or within it)."""
    periods = from_json(periods_json).values()
    return any(str(p).startswith(str(year)) for p in periods)


def commendation_rules(rulebook: Rulebook, year: int) -> Row:
    """The commendation criteria in force for ``year``, as a read shows them."""
    rules = rulebook.for_year(year)
    rule = rules.commendation
    return {
        "rulebook_version": rules.version,
        "volunteer_min_hours": num(rule.volunteer_min_hours),
        "volunteer_min_activities": rule.volunteer_min_activities,
        "volunteer_no_reversal": rule.volunteer_no_reversal,
        "team_basis": rule.team_basis.value,
    }
