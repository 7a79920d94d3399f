"""Properties over random command sequences (Hypothesis).

Each example runs a random sequence of commands, valid and invalid, against a live
aggregate. Invalid commands must raise a DomainError and record nothing. Every event
collected along the way is kept, so the aggregate can be rebuilt from its whole history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import combinations
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activity import ServiceActivity
from domain.awards import AwardRef
from domain.errors import DomainError
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    InsurancePolicy,
    Interval,
    MediaLevel,
    PersonType,
    Rater,
    Role,
    national_id_check_char,
)
from domain.volunteer import Volunteer

CST = timezone(timedelta(hours=8))
FIRST_DAY = date(2022, 5, 1)
STAFF = [Actor("staff-1", Role.STATION_STAFF), Actor("staff-2", Role.STATION_STAFF)]
AUDITOR = Actor("auditor-1", Role.AUDITOR)
PROPERTY = settings(max_examples=60, deadline=None)


REFUSED = object()


def rebuild(events):
    copy = None
    for e in events:
        copy = e.mutate(copy)
    return copy


class Run:
    """Applies commands to an aggregate, keeping every collected event."""

    def __init__(self, aggregate):
        self.aggregate = aggregate
        self.events = list(aggregate.collect_events())
        self.refused: list[str] = []

    def apply(self, command, /, *args, **kwargs):
        """Run ``command(*args, **kwargs)``; its result, or REFUSED after a DomainError."""
        try:
            result = command(*args, **kwargs)
        except DomainError as e:
            assert self.aggregate.collect_events() == [], f"{e.rule} refused but recorded events"
            self.refused.append(e.rule)
            return REFUSED
        self.events.extend(self.aggregate.collect_events())
        return result

    def check_rebuilds(self):
        rebuilt = rebuild(self.events)
        assert rebuilt == self.aggregate
        assert rebuilt.version == self.aggregate.version == len(self.events)


# ----------------------------------------------------------------- volunteer commands


def command(weight: int, **arguments: st.SearchStrategy) -> tuple[int, st.SearchStrategy]:
    """A command drawn ``weight`` times as often as one of weight 1, with these keyword arguments."""
    return weight, st.fixed_dictionaries(arguments)


def weighted(commands: dict[str, tuple[int, st.SearchStrategy]]) -> st.SearchStrategy:
    """``(method name, keyword arguments)`` pairs."""
    kinds = [kind for kind, (weight, _) in commands.items() for _ in range(weight)]
    return st.sampled_from(kinds).flatmap(lambda kind: st.tuples(st.just(kind), commands[kind][1]))


def at(day: int, minute: int) -> datetime:
    return datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), CST) + timedelta(
        minutes=minute
    )


intervals = st.builds(
    lambda day, start, minutes: Interval(at(day, start), at(day, start + minutes)),
    st.integers(0, 3),
    st.integers(0, 287).map(lambda n: n * 5),  # start: minutes after midnight at +08:00
    st.integers(1, 900),
)
policies = st.builds(
    lambda n, start, days: InsurancePolicy(
        f"P{n}", "PICC", InsuranceKind.GROUP, start, start + timedelta(days=days), Decimal(1000)
    ),
    st.integers(0, 3),
    st.dates(FIRST_DAY, FIRST_DAY + timedelta(days=3)),
    st.integers(0, 4),
)
amounts = st.decimals(-1, 12, places=1, allow_nan=False, allow_infinity=False)
reasons = st.sampled_from(["mistake", "mistake", " "])

volunteer_commands = weighted(
    {
        "award_points": command(
            10,
            activity_id=st.integers(0, 7).map(lambda n: UUID(int=n)),
            category=st.sampled_from(
                ["health_education", "emergency_rescue", "epidemic_prevention"]
            ).map(Category),
            interval=intervals,
            source=st.sampled_from(list(HoursSource)),
            attendance_version=st.just(1),
        ),
        "complete_training": command(
            3,
            course=st.sampled_from(["CPR", "First aid"]),
            hours=st.sampled_from(["0.5", "2", "8", "0"]).map(Decimal),
            completed_on=st.dates(FIRST_DAY, FIRST_DAY + timedelta(days=3)),
        ),
        "reverse_award": command(4, pick=st.integers(0, 20), reason=reasons),
        "redeem": command(4, points=amounts, benefit=st.just("bus card")),
        "record_insurance": command(2, policy=policies),
        "cancel_insurance": command(
            2, policy_number=st.sampled_from(["P0", "P1", "P2", "P3"]), reason=reasons
        ),
        "suspend": command(2, reason=reasons),
        "reinstate": command(2, reason=reasons),
        "withdraw": command(1, reason=reasons),  # ends most activity, so drawn rarely
    }
)
RULED = {"award_points", "complete_training"}  # commands that take the rulebook version


def run_volunteer(rules, commands) -> Run:
    first17 = "15010219800101001"
    v = Volunteer.register(
        name="Wang Jun",
        national_id=first17 + national_id_check_char(first17),
        phone="138",
        person_type=PersonType.VETERAN,
        township="Hailar",
        skills=[],
        actor=STAFF[0],
    )
    run = Run(v)
    cover = InsurancePolicy(
        "P0", "PICC", InsuranceKind.GROUP, FIRST_DAY, date(2022, 5, 3), Decimal(9)
    )
    run.apply(v.record_insurance, cover, STAFF[0])
    awards: list[UUID] = []
    for name, kwargs in commands:
        kwargs = {**kwargs, "actor": STAFF[0]}
        if name == "reverse_award":
            pick = kwargs.pop("pick")
            kwargs["entry_id"] = awards[pick % len(awards)] if awards else UUID(int=999)
        if name in RULED:
            kwargs.update(rules=rules, rulebook_hash="h")
        result = run.apply(getattr(v, name), **kwargs)
        if name == "award_points" and result is not REFUSED:
            awards.append(result)
    return run


@PROPERTY
@given(commands=st.lists(volunteer_commands, min_size=10, max_size=40))
def test_a_volunteer_rebuilt_from_its_events_equals_the_live_one(rules, commands):
    run_volunteer(rules, commands).check_rebuilds()


@PROPERTY
@given(commands=st.lists(volunteer_commands, min_size=10, max_size=40))
def test_reversals_never_exceed_what_they_reverse_and_the_ledger_adds_up(rules, commands):
    run = run_volunteer(rules, commands)
    v = run.aggregate
    awarded: dict[UUID, tuple[Decimal, Decimal]] = {}
    reversed_points: dict[UUID, Decimal] = defaultdict(Decimal)
    reversed_hours: dict[UUID, Decimal] = defaultdict(Decimal)
    training = redeemed = Decimal(0)
    for e in run.events:
        name = type(e).__name__
        if name == "PointsAwarded":
            awarded[e.entry_id] = (e.points, e.hours)
        elif name == "PointsReversed":
            assert e.reverses in awarded
            reversed_points[e.reverses] += e.points
            reversed_hours[e.reverses] += e.hours
        elif name == "TrainingCompleted":
            training += e.points
        elif name == "PointsRedeemed":
            redeemed += e.points

    for entry, total in reversed_points.items():
        assert total <= awarded[entry][0]
        assert reversed_hours[entry] <= awarded[entry][1]
    award_points = sum((p for p, _ in awarded.values()), Decimal(0))
    award_hours = sum((h for _, h in awarded.values()), Decimal(0))
    assert v.lifetime_points == award_points - sum(reversed_points.values()) + training
    assert v.balance == v.lifetime_points - redeemed
    assert v.credited_hours == award_hours - sum(reversed_hours.values())


@PROPERTY
@given(commands=st.lists(volunteer_commands, min_size=10, max_size=40))
def test_standing_credited_intervals_never_overlap_nor_exceed_the_daily_cap(rules, commands):
    v = run_volunteer(rules, commands).aggregate
    standing = [a for a in v.awards.values() if not a.reversed]
    for one, other in combinations(standing, 2):
        assert not one.interval.overlaps(other.interval), (one, other)
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    for a in standing:
        per_day[a.service_date] += a.hours
    assert all(hours <= rules.daily_cap_hours for hours in per_day.values())


# ----------------------------------------------------------------- activity commands

OPENS = datetime(2022, 6, 1, 9, tzinfo=CST)
VOLUNTEERS = st.sampled_from([UUID(int=n) for n in range(1, 5)])  # one more than capacity
recorders = st.sampled_from(STAFF)
anyone = st.sampled_from([*STAFF, AUDITOR])
near_window = st.builds(
    lambda offset, minutes: Interval(
        OPENS + timedelta(minutes=offset), OPENS + timedelta(minutes=offset + minutes)
    ),
    st.integers(-40, 120),
    st.integers(1, 150),
)

RATERS = st.sampled_from(
    [
        Rater(BeneficiaryType.VETERAN, "户-1"),
        Rater(BeneficiaryType.VETERAN, "户－１"),  # the same household, typed full-width
        Rater(BeneficiaryType.PUBLIC, "户-1"),
        Rater(BeneficiaryType.PUBLIC, None, anonymous=True),
    ]
)

activity_commands = weighted(
    {
        "record_hours": command(
            6,
            volunteer_id=VOLUNTEERS,
            interval=near_window,
            source=st.sampled_from(list(HoursSource)),
            actor=recorders,
        ),
        "correct_attendance": command(
            6, volunteer_id=VOLUNTEERS, interval=near_window, reason=reasons, actor=anyone
        ),
        "sign_up": command(2, volunteer_id=VOLUNTEERS),
        "withdraw_signup": command(1, volunteer_id=VOLUNTEERS, reason=st.just("busy")),
        "verify": command(3, actor=anyone),
        "publish": command(1),
        "complete": command(2),
        "record_beneficiaries": command(
            1,
            counts=st.dictionaries(
                st.sampled_from(list(BeneficiaryType)), st.integers(-1, 5), max_size=3
            ),
        ),
        "record_feedback": command(
            2,
            satisfaction=st.integers(0, 6),
            comment=st.just("ok"),
            rater=RATERS,
            given_on=st.dates(date(2022, 5, 30), date(2023, 1, 2)),
        ),
        "record_media": command(
            1,
            outlet=st.just("Daily"),
            level=st.sampled_from(list(MediaLevel)),
            url=st.just("x"),
            published_on=st.dates(date(2022, 5, 29), date(2022, 6, 4)),
        ),
        # a cancellation ends most activity: most attempts lack a reason and are refused
        "cancel": command(1, reason=st.sampled_from(["", "", "", "", "storm"])),
    },
)


def run_activity(rules, commands) -> Run:
    tolerance = timedelta(minutes=rules.window_tolerance_minutes)
    a = ServiceActivity.plan(
        title="Health talk",
        category=Category("health_education"),
        team_id=UUID(int=9),
        township="Hailar",
        station="Station 1",
        location="Hall",
        window=Interval(OPENS, OPENS + timedelta(hours=3)),
        beneficiary_types=[BeneficiaryType.VETERAN],
        capacity=3,
        actor=STAFF[0],
    )
    run = Run(a)
    for name, kwargs in commands:
        kwargs = {"actor": STAFF[0], **kwargs}
        if name in ("record_hours", "correct_attendance"):
            kwargs["tolerance"] = tolerance
        if name == "record_feedback":
            kwargs.update(
                today=date(2022, 12, 31),
                window_days=rules.feedback_window_days,
                utc_offset=rules.utc_offset,
            )
        if name == "verify":
            kwargs["awards"] = [
                AwardRef(v, UUID(int=100 + n)) for n, v in enumerate(a.participants())
            ]
            verifier_recorded_hours = a.recorded_hours_here(kwargs["actor"].user_id)
        if run.apply(getattr(a, name), **kwargs) is not REFUSED and name == "verify":
            assert not verifier_recorded_hours  # four-eyes
        assert len(a.signups) <= a.capacity
        assert set(a.attendance) <= set(a.signups)
        assert all(att.interval.within(a.window, tolerance) for att in a.attendance.values())
    return run


@PROPERTY
@given(commands=st.lists(activity_commands, min_size=10, max_size=40))
def test_an_activity_rebuilt_from_its_events_equals_the_live_one(rules, commands):
    run_activity(rules, commands).check_rebuilds()


@PROPERTY
@given(commands=st.lists(activity_commands, min_size=10, max_size=40))
def test_one_rating_per_named_rater_counted_only_within_the_window(rules, commands):
    """Whatever is attempted: a named rater (full-width or not) rates an activity once, and a
    rating counts exactly when given by the 30th day after the activity ended (1 July)."""
    ratings = [
        e for e in run_activity(rules, commands).events if type(e).__name__ == "FeedbackRecorded"
    ]
    named = [e.rater.key for e in ratings if not e.rater.anonymous]
    assert len(named) == len(set(named))
    for e in ratings:
        assert e.counted == (e.given_on <= date(2022, 7, 1))
        assert e.window_days == rules.feedback_window_days
