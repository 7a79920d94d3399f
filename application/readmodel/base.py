"""What every projection shares: dispatch by event class that never skips silently, and the
header of an event for projections that read nothing else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import UnionType
from typing import Any, ClassVar, TypeVar, get_args, get_type_hints

from application.readmodel.events import PREFIX, event_classes, event_types, full_event_topics
from application.readmodel.store import RowStore
from application.readmodel.tables import Table
from application.readmodel.values import iso
from domain.rulebook import Rulebook

# A handler: a function marked with ``@handles``.
H = TypeVar("H", bound=Callable[..., Any])


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
        topic = type(event).TOPIC
        recorded_at = iso(event.timestamp)
        actor = getattr(event, "actor", None)
        if not actor:
            return cls(
                topic, event.originator_id, event.originator_version, recorded_at, None, None, None
            )
        return cls(
            topic,
            event.originator_id,
            event.originator_version,
            recorded_at,
            actor.user_id,
            actor.role._value_,
            actor.correlation_id,
            actor.request_id,
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


def handles(fn: H) -> H:
    """Marks a handler. It takes the events of the class its event parameter is annotated
    with (``e: Volunteer.PointsAwarded``; ``e: A | B`` for two), read when the class that
    holds it is made: an annotation naming no event of our aggregates is refused there.

    The handler reads the event's fields as attributes; the runner converts each field the
    first time anything reads it, so reading costs only what is read."""
    fn.__dict__["_handles_events"] = True
    return fn


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s annotations resolved; one naming nothing known is refused."""
    try:
        return get_type_hints(fn)
    except (NameError, AttributeError) as error:
        raise TypeError(f"{fn.__qualname__}: an annotation names nothing known ({error})") from None


def _events_taken(fn: Callable[..., Any]) -> tuple[type[Any], ...]:
    """The event classes ``fn``'s event parameter is annotated with."""
    ours = event_types()
    for name, hint in _type_hints(fn).items():
        classes = get_args(hint) if isinstance(hint, UnionType) else (hint,)
        if name != "return" and all(c in ours for c in classes):
            return classes
    raise TypeError(f"{fn.__qualname__}: no parameter is annotated with an event of our aggregates")


def _marked_handlers(cls: type[Any]) -> Iterator[Callable[..., Any]]:
    """The functions marked with ``@handles`` in ``cls`` and its bases, bases first (so a
    subclass's handler of an event replaces its base's)."""
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            if getattr(value, "_handles_events", False):
                yield value


class EventHandlers:
    """Dispatch by event class: a subclass marks its handlers with ``@handles`` and lists the
    event classes it ignores; ``_handlers`` maps each handled class's topic to its handler.

    Keyed by topic (what ``type(event).TOPIC`` gives), so an event of a subclass of the event
    class dispatches as the event class itself: the runner's lazily decoded events are such
    subclasses, with the topic of the class they stand for."""

    ignored: ClassVar[frozenset[type[Any]]] = frozenset()
    _handlers: ClassVar[dict[str, Callable[..., Any]]]
    _ignored_full: ClassVar[frozenset[str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for handler in _marked_handlers(cls):
            for event_class in _events_taken(handler):
                # A class this one ignores has no handler, though a base class's may
                # handle it: a subclass can leave out what a replay need not apply.
                if event_class not in cls.ignored:
                    cls._handlers[event_class.TOPIC] = handler
        cls._ignored_full = frozenset(c.TOPIC for c in cls.ignored)

    @classmethod
    def handled_events(cls) -> frozenset[type[Any]]:
        return frozenset(event_classes()[t.removeprefix(PREFIX)] for t in cls._handlers)

    @classmethod
    def handled_topics(cls) -> frozenset[str]:
        return frozenset(t.removeprefix(PREFIX) for t in cls._handlers)


class Projection(EventHandlers):
    """Turns events into rows. Subclasses mark handlers with ``@handles`` and list what they
    ignore; an event neither handled nor ignored stops the projection (``UnhandledEvent``)."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # Rough share of catch-up work (decoding what it needs, applying, writing), for sharing
    # projections out over worker processes: relative figures from the CPU time of
    # catching up the bench history (270k events) group by group. The directory needs
    # nearly every event decoded; the audit trail none (headers only).
    weight: ClassVar[int] = 1
    # True for a projection that reads only each event's header: ``apply`` is then given
    # an ``EventHeader`` for events no other projection of the runner decodes (and may be
    # given whole events too).
    headers_only: ClassVar[bool] = False

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
