"""The directory's reads: stations, teams, volunteers, activities, their corrections and ratings."""

from __future__ import annotations

from datetime import date

from application.readmodel.queries.reads import (
    Page,
    Reads,
    after,
    from_json,
    given,
    next_cursor,
    paged,
    span,
)
from application.readmodel.queries.search import VolunteerSearch, search_volunteers
from application.readmodel.store import Row
from application.readmodel.tables import (
    ACTIVITY,
    CORRECTION,
    FEEDBACK,
    PARTICIPANT,
    STATION,
    TEAM,
    TEAM_MEMBER,
    VOLUNTEER,
)


class DirectoryReads(Reads):
    def stations(
        self,
        *,
        level: str | None = None,
        township: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        rows = self.store.select(
            STATION,
            given(level=level, township=township),
            after=after("station_id", cursor),
            order_by=("station_id",),
            limit=limit + 1,
        )
        return paged([_station(r) for r in rows], limit, "station_id")

    def station(self, station_id: str) -> Row | None:
        row = self.store.get(STATION, (station_id,))
        return _station(row) if row else None

    def teams(self, *, limit: int = 50, cursor: str | None = None) -> Page:
        return paged(
            self.store.select(
                TEAM, after=after("team_id", cursor), order_by=("team_id",), limit=limit + 1
            ),
            limit,
            "team_id",
        )

    def team(self, team_id: str) -> Row | None:
        row = self.store.get(TEAM, (team_id,))
        if row is None:
            return None
        members = self.store.select(TEAM_MEMBER, {"team_id": team_id}, order_by=("volunteer_id",))
        return {
            **row,
            "members": [{"volunteer_id": m["volunteer_id"], "role": m["role"]} for m in members],
        }

    def volunteers(
        self, *, township: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        rows = self.store.select(
            VOLUNTEER,
            given(township=township),
            after=after("volunteer_id", cursor),
            order_by=("volunteer_id",),
            limit=limit + 1,
        )
        return paged([_volunteer(r) for r in rows], limit, "volunteer_id")

    def search_volunteers(
        self, search: VolunteerSearch, *, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """Volunteers matching ``search`` (see :mod:`application.readmodel.queries.search`)."""
        rows, more = search_volunteers(self.store, search, limit=limit, cursor=cursor)
        items = [_volunteer(r) for r in rows]
        return Page(items=items, next_cursor=next_cursor(items, more, "volunteer_id"))

    def volunteer_by_national_id(self, national_id: str) -> str | None:
        """The id of the volunteer holding ``national_id`` (normalised), if any."""
        found = self.store.select(VOLUNTEER, {"national_id": national_id}, limit=1)
        return found[0]["volunteer_id"] if found else None

    def volunteer(self, volunteer_id: str) -> Row | None:
        row = self.store.get(VOLUNTEER, (volunteer_id,))
        return _volunteer(row) if row else None

    def activities(
        self,
        *,
        status: str | None = None,
        team_id: str | None = None,
        township: str | None = None,
        category: str | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        rows = self.store.select(
            ACTIVITY,
            given(status=status, team_id=team_id, township=township, category=category),
            between=span(
                "start_date", _day(start), _day(end), date.min.isoformat(), date.max.isoformat()
            ),
            after=after("activity_id", cursor),
            order_by=("activity_id",),
            limit=limit + 1,
        )
        return paged([self._named(_activity(r)) for r in rows], limit, "activity_id")

    def activity(self, activity_id: str) -> Row | None:
        row = self.store.get(ACTIVITY, (activity_id,))
        if row is None:
            return None
        participants = self.store.select(
            PARTICIPANT, {"activity_id": activity_id}, order_by=("volunteer_id",)
        )
        return {**self._named(_activity(row)), "participants": participants}

    def corrections(self, activity_id: str) -> list[Row] | None:
        """The corrections proposed to an activity's verified hours, oldest first."""
        if self.store.get(ACTIVITY, (activity_id,)) is None:
            return None
        return self.store.select(
            CORRECTION, {"activity_id": activity_id}, order_by=("proposed_at", "correction_id")
        )

    def feedback(self, activity_id: str) -> list[Row] | None:
        """Every rating of an activity, in the order recorded: rater (or anonymous), date
        given, who recorded it, and ``counted`` (false: outside the feedback window, shown
        but never counted)."""
        if self.store.get(ACTIVITY, (activity_id,)) is None:
            return None
        rows = self.store.select(FEEDBACK, {"activity_id": activity_id}, order_by=("seq",))
        return [_rating(r) for r in rows]


def _rating(row: Row) -> Row:
    return {
        "satisfaction": row["satisfaction"],
        "comment": row["comment"],
        "rater": _rater(row),
        "given_on": row["given_on"],
        "counted": bool(row["counted"]),
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"],
        "position": row["position"],
    }


def _rater(row: Row) -> Row | None:
    """Who gave a rating: none named (and not marked anonymous) is None."""
    if row["rater_type"] is None and not row["anonymous"]:
        return None
    return {
        "beneficiary_type": row["rater_type"],
        "reference": row["rater_reference"],
        "anonymous": bool(row["anonymous"]),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _station(row: Row) -> Row:
    return {**row, "closed": bool(row["closed"])}


def _volunteer(row: Row) -> Row:
    return {**row, "skills": from_json(row["skills"], "[]")}


def _activity(row: Row) -> Row:
    return {**row, "beneficiaries": from_json(row["beneficiaries"])}
