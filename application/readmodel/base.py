"""What every projection shares: topic dispatch that never skips silently, and value formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

from application.readmodel.store import RowStore
from application.readmodel.tables import Table
from domain.activity import ServiceActivity
from domain.need import Need
from domain.project import Project
from domain.registry import NationalIdClaim
from domain.rulebook import Rulebook
from domain.seal import ChainSeal
from domain.station import Station
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer

PREFIX = "volunteer-ledger:"
Handler = Callable[[Any, RowStore, Any, int], None]


@cache
def full_event_topics() -> frozenset[str]:
    """``event_topics`` in full form, as events carry them (``volunteer-ledger:…``)."""
    return frozenset(PREFIX + t for t in event_topics())


def event_topics() -> frozenset[str]:
    """Every event topic our aggregates can record (short form, e.g. ``Volunteer.PointsAwarded``)."""
    return frozenset(event_classes())


@cache
def event_classes() -> dict[str, type[Any]]:
    """Each event class of our aggregates, by its short topic."""
    found = {}
    for aggregate in (
        Volunteer,
        ServiceActivity,
        VolunteerTeam,
        Station,
        ChainSeal,
        NationalIdClaim,
        Need,
        Project,
    ):
        for name, value in vars(aggregate).items():
            topic = getattr(value, "TOPIC", None)
            if isinstance(value, type) and topic and name not in {"Created", "Event"}:
                found[topic.removeprefix(PREFIX)] = value
    return found


TEAM_EVENTS = frozenset(
    {
        "VolunteerTeam.Formed",
        "VolunteerTeam.MemberEnrolled",
        "VolunteerTeam.MemberLeft",
        "VolunteerTeam.LeaderAppointed",
        "VolunteerTeam.Commended",
        "VolunteerTeam.Dissolved",
    }
)
ACTIVITY_EVENTS = frozenset(
    {
        "ServiceActivity.Planned",
        "ServiceActivity.Published",
        "ServiceActivity.VolunteerSignedUp",
        "ServiceActivity.VolunteerWithdrew",
        "ServiceActivity.HoursRecorded",
        "ServiceActivity.AttendanceCorrected",
        "ServiceActivity.BeneficiariesServed",
        "ServiceActivity.FeedbackRecorded",
        "ServiceActivity.MediaCoverageRecorded",
        "ServiceActivity.Completed",
        "ServiceActivity.Verified",
        "ServiceActivity.Cancelled",
        "ServiceActivity.CorrectionProposed",
        "ServiceActivity.CorrectionApproved",
        "ServiceActivity.CorrectionRejected",
    }
)
VOLUNTEER_STATUS_EVENTS = frozenset(
    {"Volunteer.Suspended", "Volunteer.Reinstated", "Volunteer.Withdrawn"}
)
DECISION_EVENTS = frozenset(
    {
        "Volunteer.StarLevelCertified",
        "Volunteer.CommendationGranted",
        "Volunteer.CommendationRevoked",
    }
)
STATION_EVENTS = frozenset({"Station.Registered", "Station.Renamed", "Station.Closed"})
# Needs and the project library: only their own projection (and the audit trail) reads them.
NEED_EVENTS = frozenset(
    {
        "Need.Raised",
        "Need.Met",
        "Need.Declined",
        "Project.Drafted",
        "Project.Activated",
        "Project.Closed",
    }
)
INSURANCE_EVENTS = frozenset({"Volunteer.InsuranceRecorded", "Volunteer.InsuranceCancelled"})
# A courtesy voucher handed over: only the vouchers read model (and the trail) reads it.
VOUCHER_EVENTS = frozenset({"Volunteer.VoucherUsed"})
# Seals of the hash chain (facts about the log itself), claims on national ids (the
# volunteer's own registration says the rest) and the note naming why a day's awards were
# credited again (the reversals and awards themselves carry the figures): no read model but
# the audit trail needs them.
AUDIT_EVENTS = frozenset(
    {"ChainSeal.Sealed", "NationalIdClaim.Claimed", "Volunteer.AwardsResequenced"}
)


class EventHeader:
    """What every event carries besides its payload, as plain values: when, by whom (and on
    which request), to which aggregate, of which type.

    A projection that reads nothing else (``Projection.headers_only``: the audit trail) is
    given one of these for any event that every other projection of its runner ignores,
    so the runner reads only these few fields of it instead of decoding the event.
    ``EventHeader.of(event)`` gives the same values from a decoded event.
    """

    __slots__ = (
        "actor_id",
        "actor_role",
        "correlation_id",
        "originator_id",
        "originator_version",
        "recorded_at",
        "request_id",
        "topic",
    )

    def __init__(
        self,
        topic: str,
        originator_id: Any,
        originator_version: int,
        recorded_at: str,
        actor_id: str | None,
        actor_role: str | None,
        correlation_id: str | None,
        request_id: str | None = None,
    ) -> None:
        self.topic = topic
        self.originator_id = originator_id
        self.originator_version = originator_version
        self.recorded_at = recorded_at  # ISO 8601 in UTC, as ``iso`` writes it
        self.actor_id = actor_id
        self.actor_role = actor_role
        self.correlation_id = correlation_id
        self.request_id = request_id  # the client's X-Request-ID ("" or None: none given)

    @classmethod
    def of(cls, event: Any) -> EventHeader:
        actor = getattr(event, "actor", None)
        return cls(
            type(event).TOPIC,
            event.originator_id,
            event.originator_version,
            iso(event.timestamp),
            actor.user_id if actor else None,
            actor.role._value_ if actor else None,
            actor.correlation_id if actor else None,
            actor.request_id if actor else None,
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not EventHeader:
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self) -> str:
        return "EventHeader(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"


class UnhandledEvent(Exception):
    """A projection met an event it does not know: it stops rather than skip it."""

    def __init__(self, projection: str, position: int, topic: str) -> None:
        super().__init__(
            f"projection {projection!r} cannot handle event {topic!r} at position {position}; "
            "it stopped there (nothing after it was applied)"
        )
        self.projection = projection
        self.position = position
        self.topic = topic


def handles(*short_topics: str) -> Callable[[Handler], Handler]:
    """Marks a handler of events of ``short_topics`` (e.g. ``"Volunteer.PointsAwarded"``).

    The handler is given the event and reads its fields as attributes; the runner converts
    each field the first time anything reads it, so reading costs only what is read. A
    topic no aggregate records is refused when the projection's class is made."""
    unknown = sorted(set(short_topics) - event_topics())
    if unknown:
        raise TypeError(f"no aggregate records {unknown}")

    def mark(fn: Handler) -> Handler:
        fn.__dict__["_topics"] = short_topics
        return fn

    return mark


class Projection:
    """Turns events into rows. Subclasses mark handlers with ``@handles`` and list what they ignore."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    ignored: ClassVar[frozenset[str]] = frozenset()
    # Rough share of catch-up work (decoding what it needs, applying, writing), for sharing
    # projections out over worker processes: relative figures from the CPU time of
    # catching up the bench history (270k events) group by group. The directory needs
    # nearly every event decoded; the audit trail none (headers only).
    weight: ClassVar[int] = 1
    # True for a projection that reads only each event's header: ``apply`` is then given
    # an ``EventHeader`` for events no other projection of the runner decodes (and may be
    # given whole events too).
    headers_only: ClassVar[bool] = False
    _handlers: ClassVar[dict[str, Handler]]
    _ignored_full: ClassVar[frozenset[str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                for short in getattr(value, "_topics", ()):
                    # A topic the class ignores has no handler, though a base class's may
                    # handle it: a subclass can leave out what a replay need not apply.
                    if short not in cls.ignored:
                        cls._handlers[PREFIX + short] = value
        cls._ignored_full = frozenset(PREFIX + t for t in cls.ignored)

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.latest = rulebook.latest  # the rulebook is immutable; looked up per event

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        topic: str = type(event).TOPIC
        handler = self._handlers.get(topic)
        if handler is not None:
            handler(self, store, event, position)
        elif topic not in self._ignored_full:
            raise UnhandledEvent(self.name, position, topic)

    @classmethod
    def handled_topics(cls) -> frozenset[str]:
        return frozenset(t.removeprefix(PREFIX) for t in cls._handlers)

    @classmethod
    def ignored_topics(cls) -> frozenset[str]:
        """Full topics a runner need not decode for this projection: those ``apply``
        certainly does nothing with.

        None ignored when a subclass overrides ``apply`` (it may act on any event), all of
        them when it reads only headers (it needs none decoded).
        """
        if cls.headers_only:
            return full_event_topics()
        if cls.apply is not Projection.apply:
            return frozenset()
        return cls._ignored_full


def dec(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


_NUMS: dict[Decimal, str] = {}
_NUMS_MAX = 100_000


def num(value: Decimal) -> str:
    """A decimal as exact text without trailing zeros: 7.00 → "7", 3.50 → "3.5".

    Remembered, as projections write the same amounts (hours, points) over and over; equal
    decimals (7 and 7.00) have one text, so one entry serves them all."""
    found = _NUMS.get(value)
    if found is None:
        found = "0" if value == 0 else format(value.normalize(), "f")
        if len(_NUMS) >= _NUMS_MAX:
            _NUMS.clear()
        _NUMS[value] = found
    return found


def iso(value: datetime) -> str:
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


_TEXTS: dict[Any, str] = {}
_UUID_TEXTS: dict[int, str] = {}
_TEXTS_MAX = 200_000


def text(value: Any) -> str:
    """``str(value)`` for ids (UUIDs), remembered: projections write the same ids over and over,
    and formatting a UUID costs more than finding it in a dict. A UUID is looked up by its
    integer (hashed and compared in C; ``UUID.__hash__`` and ``__eq__`` are Python code), in a
    table of its own so that no other value can stand for it."""
    if type(value) is UUID:
        texts, key = _UUID_TEXTS, value.int
    else:
        texts, key = _TEXTS, value
    found = texts.get(key)
    if found is None:
        if len(texts) >= _TEXTS_MAX:
            texts.clear()
        found = texts[key] = str(value)
    return found


_INTERVAL_TEXTS: dict[int, tuple[Any, timedelta, str, str, str]] = {}
# An activity's participants follow each other in the log: a short memory serves them (a
# longer one only held a replay's memory: 80 MB more over a million events).
_INTERVALS_MAX = 20_000


def interval_texts(interval: Any, offset: timedelta) -> tuple[str, str, str]:
    """An interval's start and end (``isoformat``) and its service date at ``offset``, as
    text: remembered by the interval object itself (the decoder gives one object per
    written window, and the hours of an activity's participants often repeat it), kept
    beside it so a reused ``id`` can never answer for another."""
    found = _INTERVAL_TEXTS.get(id(interval))
    if found is None or found[0] is not interval or found[1] != offset:
        if len(_INTERVAL_TEXTS) >= _INTERVALS_MAX:
            _INTERVAL_TEXTS.clear()
        found = _INTERVAL_TEXTS[id(interval)] = (
            interval,
            offset,
            interval.start.isoformat(),
            interval.end.isoformat(),
            interval.local_date(offset).isoformat(),
        )
    return found[2], found[3], found[4]


def day(value: date) -> str:
    return value.isoformat()


def ident(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def enum(value: Enum) -> str:
    return str(value._value_)  # not ``.value``: a descriptor, slow on the hot path


def media_points(rulebook: Rulebook, start_date: str | None, level: Enum) -> Decimal:
    """Points for one media coverage, under the rulebook in force on the activity's date."""
    rules = rulebook.in_force_on(date.fromisoformat(start_date)) if start_date else rulebook.latest
    return Decimal(rules.ranking.media_level_points.get(level, Decimal(0)))  # type: ignore[call-overload]


def rating_counts(rulebook: Rulebook, e: Any, start_date: str | None, ends_at: str | None) -> bool:
    """Whether a FeedbackRecorded counts in rankings and eligibility. Version 2 ratings say
    so (given within the feedback window after the activity ended). A version 1 rating
    named no date: it counts only if recorded within the window of the rulebook in force
    on the activity's date, since it cannot have been given after it was recorded."""
    if e.counted is not None:
        return bool(e.counted)
    if not start_date or not ends_at:
        return False  # an activity the projection does not know: nothing to attribute it to
    rules = rulebook.in_force_on(date.fromisoformat(start_date))
    ended = (datetime.fromisoformat(ends_at).astimezone(UTC) + rules.utc_offset).date()
    recorded = (e.timestamp.astimezone(UTC) + rules.utc_offset).date()
    return bool(recorded <= ended + timedelta(days=rules.feedback_window_days))
