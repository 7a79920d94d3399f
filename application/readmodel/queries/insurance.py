"""Insurance reads: participations no policy covered, cover on a date, each activity's cover."""

from __future__ import annotations

from datetime import date

from application.readmodel.queries.purchasing import expiring_within, uncovered_on
from application.readmodel.queries.reads import Reads, grouped
from application.readmodel.store import Row
from application.readmodel.tables import (
    INSURED_ACTIVITY,
    PARTICIPATION,
    POLICY,
    VOLUNTEER,
)


class InsuranceReads(Reads):
    def insurance_gaps(self, *, year: int | None = None) -> list[Row]:
        """Participations that no policy covered on their service date."""
        participations = self.store.select(PARTICIPATION, between=_service_in(year))
        activities = {a["activity_id"]: a for a in self.store.select(INSURED_ACTIVITY)}
        gaps = [
            self._gap(p, activities.get(p["activity_id"], {}))
            for p in self._uninsured(participations, activities)
        ]
        self._name_people(gaps)
        return sorted(gaps, key=lambda g: (g["service_date"], g["activity_id"], g["volunteer_id"]))

    def _uninsured(self, participations: list[Row], activities: dict[str, Row]) -> list[Row]:
        """The participations in activities not cancelled that no policy of their
        volunteer covered."""
        policies = self._policies_of(sorted({p["volunteer_id"] for p in participations}))
        return [p for p in participations if _is_uninsured(p, activities, policies)]

    def _policies_of(self, volunteer_ids: list[str]) -> dict[str, list[Row]]:
        """The volunteers' policies by volunteer (none: an empty list)."""
        return grouped(self._within(POLICY, "volunteer_id", volunteer_ids), "volunteer_id")

    def _gap(self, participation: Row, activity: Row) -> Row:
        p = participation
        return {
            "activity_id": p["activity_id"],
            "title": activity.get("title"),
            "category": p["category"],
            "category_zh": self.rulebook.category_zh(p["category"]),
            "volunteer_id": p["volunteer_id"],
            "volunteer_name": None,
            "township": None,
            "service_date": p["service_date"],
            "flagged": bool(p["flagged"]),
        }

    def _name_people(self, gaps: list[Row]) -> None:
        """Fill in each gap's volunteer name and township, read once per volunteer."""
        ids = sorted({g["volunteer_id"] for g in gaps})
        people = {v["volunteer_id"]: v for v in self._within(VOLUNTEER, "volunteer_id", ids)}
        for g in gaps:
            person = people.get(g["volunteer_id"], {})
            g["volunteer_name"], g["township"] = person.get("name"), person.get("township")

    def uncovered(self, day: date, township: str | None = None) -> list[Row]:
        return uncovered_on(self.store, day, township)

    def expiring(self, today: date, days: int) -> list[Row]:
        return expiring_within(self.store, today, days)

    def activity_insurance(self, activity_id: str) -> list[Row] | None:
        if self.store.get(INSURED_ACTIVITY, (activity_id,)) is None:
            return None
        participations = self.store.select(
            PARTICIPATION, {"activity_id": activity_id}, order_by=("volunteer_id",)
        )
        return [self._cover(p) for p in participations]

    def _cover(self, participation: Row) -> Row:
        """A participation and the policy that covered it, if any."""
        p = participation
        policies = self.store.select(POLICY, {"volunteer_id": p["volunteer_id"]})
        cover = _covering(policies, p["service_date"])
        held = cover or {}
        return {
            "volunteer_id": p["volunteer_id"],
            "service_date": p["service_date"],
            "covered": cover is not None,
            "policy_number": held.get("policy_number"),
            "insurer": held.get("insurer"),
            "policy_at_award": p["award_policy"],
            "flagged": bool(p["flagged"]),
        }


def _service_in(year: int | None) -> tuple[str, str, str] | None:
    """The participations served in ``year`` (None: in any)."""
    return None if year is None else ("service_date", f"{year}-01-01", f"{year + 1}-01-01")


def _is_uninsured(
    participation: Row, activities: dict[str, Row], policies: dict[str, list[Row]]
) -> bool:
    """A participation in an activity not cancelled that no policy of its volunteer covered."""
    p = participation
    activity = activities.get(p["activity_id"], {})
    return activity.get("status") != "cancelled" and not _covering(
        policies[p["volunteer_id"]], p["service_date"]
    )


def _covering(policies: list[Row], service_date: str) -> Row | None:
    """Of one volunteer's ``policies``, the uncancelled one covering ``service_date`` (the
    latest to end, when several do)."""
    return max(
        (
            p
            for p in policies
            if not p["cancelled"] and p["covers_from"] <= service_date <= p["covers_to"]
        ),
        key=lambda p: (p["covers_to"], p["policy_number"]),
        default=None,
    )
