"""``generate_year``: one demo year played forward in service-date order."""

from __future__ import annotations

import time
from datetime import date, timedelta

from application.ledger import VolunteerLedger
from demo.records import DemoSummary, Person, Plan, Progress
from demo.vocabulary import COURSES, TOWNSHIPS
from demo.year_end import DemoYear


def generate_year(
    ledger: VolunteerLedger,
    *,
    year: int = 2022,
    seed: int = 7,
    townships: int = 6,
    volunteers: int = 300,
    activities: int = 240,
    progress: Progress | None = None,
) -> DemoSummary:
    """Record a realistic programme year into ``ledger`` and say what was recorded.

    Deterministic for a given seed and sizes. Needs at least two volunteers per township;
    ``townships`` is at most ``len(TOWNSHIPS)``. Memory stays modest at large sizes:
    only each volunteer's recent intervals are kept, to avoid double-booking.
    """
    _check_sizes(townships, volunteers, activities)
    ledger.rules_on(date(year, 1, 1))  # a year no rulebook covers fails before recording
    began, first = time.perf_counter(), ledger.current_position()
    run = DemoYear(ledger, year=year, seed=seed, townships=townships, progress=progress)
    _set_up(run, volunteers)
    _play(run, _timeline(run, year, activities), activities)
    run.library.settle()
    run.year_end(activities)
    return _summary(run, first, volunteers, activities, time.perf_counter() - began)


# What happens on a day of the year: an activity played out, or a volunteer's training.
Happening = Plan | tuple[Person, str, str]


def _check_sizes(townships: int, volunteers: int, activities: int) -> None:
    if not 1 <= townships <= len(TOWNSHIPS):
        raise ValueError(f"townships must be from 1 to {len(TOWNSHIPS)}, not {townships}")
    if volunteers < 2 * townships:
        raise ValueError(f"volunteers ({volunteers}) must be at least 2 per township")
    if activities < 1:
        raise ValueError(f"activities must be at least 1, not {activities}")


def _set_up(run: DemoYear, volunteers: int) -> None:
    """Stations, teams, the needs and projects library, the volunteers and their teams."""
    run.register_stations()
    run.form_teams()
    run.library.enter(
        [
            (name, [run.team_stations[t + 1], *run.village_ids[t]])
            for t, (name, _, _) in enumerate(run.towns)
        ],
        run.team_ids,
    )
    _register_volunteers(run, volunteers)
    run.enrol_all()


def _register_volunteers(run: DemoYear, volunteers: int) -> None:
    """Each registered and insured; progress told every 25 and at the last."""
    for i in range(volunteers):
        run.people.append(run.register(i))
        if i % 25 == 0 or i == volunteers - 1:
            run.progress("volunteers", i + 1, volunteers)


def _timeline(run: DemoYear, year: int, activities: int) -> list[tuple[date, Happening]]:
    """The year's activities and trainings in service-date order (ties in planning order:
    the sort is stable)."""
    plans: list[tuple[date, Happening]] = [(p.day, p) for p in run.plan_year(activities)]
    return sorted(plans + _trainings(run, year), key=lambda item: item[0])


def _trainings(run: DemoYear, year: int) -> list[tuple[date, Happening]]:
    """Most take no course in the year, three in ten one, one in ten two, on any day."""
    rng = run.rng
    return [
        (date(year, 1, 1) + timedelta(days=rng.randrange(360)), (person, course, hours))
        for person in run.people
        for course, hours in rng.sample(COURSES, rng.choices((0, 1, 2), (60, 30, 10))[0])
    ]


def _play(run: DemoYear, timeline: list[tuple[date, Happening]], activities: int) -> None:
    done = 0
    for day, item in timeline:
        if isinstance(item, Plan):
            run.run(item)
            done += 1
            run.progress("year", done, activities)
        else:
            run.train(*item, day)


def _summary(
    run: DemoYear, first: int, volunteers: int, activities: int, elapsed: float
) -> DemoSummary:
    last = run.ledger.current_position()
    n = run.n
    return DemoSummary(
        events=last - first,
        volunteers=volunteers,
        teams=len(run.team_ids),
        activities=activities,
        verified=n.verified,
        awards=n.awards,
        points_awarded=n.points,
        reversals=n.reversals,
        uninsured_flags=n.flags,
        rejected_uninsured=n.refused,
        elapsed_seconds=elapsed,
        cancelled=n.cancelled,
        corrections=n.corrections,
        redemptions=n.redemptions,
        trainings=n.trainings,
        star_certifications=n.certifications,
        commendations=n.commendations,
        last_position=last,
        needs=len(run.library.needs) + run.library.waiting,
        needs_met=run.library.met,
        projects=len(run.library.projects),
    )
