"""Decisions belong to their year (issue 14, item 7), as a property: whatever shifts a
volunteer served around a year's end, and in whatever order they were verified, the
annual review's figures for the volunteer are those of the replayed ledger cut at the
year's end (service up to 31 December, everything recorded up to the review's cut)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.people import RecordInsurance
from application.readmodel.audit.review import annual_review
from domain.values import InsuranceKind
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer

YEAR = 2022
YEAR_END = date(YEAR, 12, 31)
DAYS = [date(2022, 6, 1), date(2022, 12, 30), YEAR_END, date(2023, 1, 1), date(2023, 1, 2)]


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """One SQLite file for every example (each serves its own volunteer), in January 2024."""
    path: Path = tmp_path_factory.mktemp("year-end") / "ledger.sqlite3"
    c = bootstrap(
        Settings(database_url=f"sqlite:///{path}"),
        clock=lambda: datetime(2024, 1, 5, 4, 0, tzinfo=UTC),
    )
    try:
        yield c
    finally:
        c.close()


SLOTS = [(8, 10), (10, 13), (13, 18)]  # a volunteer's shifts on a day never overlap
shift = st.tuples(st.sampled_from(DAYS), st.sampled_from(SLOTS))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shifts=st.lists(shift, min_size=1, max_size=6, unique=True), data=st.data())
def test_the_reviews_figures_are_the_ledger_cut_at_the_years_end(
    container: Container, shifts: list[tuple[date, tuple[int, int]]], data: st.DataObject
) -> None:
    ledger = container.ledger
    tid, vid = team(ledger), volunteer(ledger)
    ledger.record_insurance(
        RecordInsurance(
            volunteer_id=vid,
            policy_number=f"PICC-2023-{vid.hex[:8]}",
            insurer="中国人保",
            kind=InsuranceKind.GROUP,
            covers_from=date(2023, 1, 1),
            covers_to=date(2023, 12, 31),
            sum_insured=Decimal("200000"),
        ),
        actor=STAFF,
    )
    planned = []
    for day, (start, end) in shifts:
        aid = activity(ledger, tid, day=day)
        hours(ledger, aid, vid, at(day, start), at(day, end))
        ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        planned.append(aid)
    for index in data.draw(st.permutations(range(len(planned))), label="verification order"):
        ledger.verify_activity(VerifyActivity(activity_id=planned[index]), actor=BUREAU)

    review = annual_review(ledger, container.rulebook, YEAR)
    container.runner().catch_up()
    account = container.read_models().ledger(str(vid))
    assert account is not None
    standing = [e for e in account["entries"] if e["kind"] == "award" and not e["reversed"]]

    def total(field: str, first: date) -> Decimal:
        return sum(
            (
                Decimal(str(e[field]))
                for e in standing
                if first <= date.fromisoformat(str(e["service_date"])) <= YEAR_END
            ),
            Decimal(0),
        )

    (person,) = [v for v in review["volunteers"] if v["volunteer_id"] == str(vid)] or [None]
    if person is None:  # served nothing up to the year's end: the review does not list them
        assert total("points", date.min) == 0
        return
    assert Decimal(person["points"]) == total("points", date(YEAR, 1, 1))
    assert Decimal(person["hours"]) == total("hours", date(YEAR, 1, 1))
    assert Decimal(person["lifetime_points"]) == total("points", date.min)
