"""Every projection decides about every event type: handled or ignored, never both, never neither.

A new event type therefore fails here until each projection says what it does with it,
instead of stopping the projection in production.
"""

from __future__ import annotations

import pytest

from application.readmodel.base import Projection, UnhandledEvent, handles
from application.readmodel.catalogue import PROJECTION_TYPES
from application.readmodel.events import event_topics, event_types
from application.readmodel.store import MemoryStore, RowStore
from domain.volunteer import Volunteer
from infrastructure.rulebook_loader import load_rulebook


def test_our_aggregates_record_forty_eight_event_types() -> None:
    # 37 about teams, volunteers and activities (three on corrections proposed, approved,
    # rejected; one naming why a day's awards were credited again; one a courtesy voucher
    # used), 3 about stations, the seal of the hash chain, the claim on a national id, and
    # 6 about needs and projects
    assert len(event_topics()) == 48


@pytest.mark.parametrize("projection", [p for p in PROJECTION_TYPES if p.name != "audit"])
def test_each_event_type_is_handled_or_ignored_exactly_once(projection: type[Projection]) -> None:
    events = event_types()
    handled, ignored = projection.handled_events(), projection.ignored
    assert events - handled - ignored == set(), "neither handled nor ignored"
    assert handled & ignored == set(), "both handled and ignored"
    assert (handled | ignored) - events == set(), "names an event type that does not exist"


def test_the_audit_trail_takes_every_event() -> None:
    audit = next(p for p in PROJECTION_TYPES if p.name == "audit")
    assert audit.handled_topics() == event_topics()


def test_an_unknown_event_type_stops_the_projection_naming_it() -> None:
    class Renamed:
        TOPIC = "volunteer-ledger:Volunteer.SomethingNew"

    ledger = next(p for p in PROJECTION_TYPES if p.name == "ledger")(load_rulebook())
    with pytest.raises(UnhandledEvent) as stopped:
        ledger.apply(MemoryStore(), Renamed(), 42)
    assert "'ledger'" in str(stopped.value) and "42" in str(stopped.value)
    assert "Volunteer.SomethingNew" in str(stopped.value)


def test_a_handler_is_dispatched_by_the_event_class_it_is_annotated_with() -> None:
    ledger = next(p for p in PROJECTION_TYPES if p.name == "ledger")
    assert ledger._handlers[Volunteer.PointsAwarded.TOPIC].__name__ == "_awarded"


def test_a_handler_annotated_with_no_event_class_is_refused_when_its_class_is_made() -> None:
    with pytest.raises(TypeError, match="no parameter is annotated with an event"):

        class _Untyped(Projection):
            name = "untyped"
            tables = ()

            @handles
            def _any(self, store: RowStore, e: object, position: int) -> None: ...


def test_an_instance_of_a_subclass_of_an_event_class_is_handled_as_that_class() -> None:
    """As the runner's lazily decoded events are: a subclass carrying the class's topic."""
    applied: list[int] = []

    class _Awards(Projection):
        name = "awards"
        tables = ()
        ignored = event_types() - {Volunteer.PointsAwarded}

        @handles
        def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
            applied.append(position)

    lazy = type("LazyPointsAwarded", (Volunteer.PointsAwarded,), {})
    _Awards(load_rulebook()).apply(MemoryStore(), object.__new__(lazy), 7)
    assert applied == [7]
