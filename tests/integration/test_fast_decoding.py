"""The runner's fast decoder gives exactly the events the library's mapper gives.

Every event of a demo year plus a random workload (corrections, reversals, redemptions,
cancellations…), on SQLite and PostgreSQL: same class, same attributes, and every value
of the same type and equal, however deep — decoded whole, or read field by field from
the lazy events the projection runner hands its projections.
"""

from __future__ import annotations

import copy
import dataclasses
from enum import Enum
from typing import Any
from uuid import uuid4

import orjson
import pytest
from eventsourcing.persistence import MapperDeserialisationError, Notification, StoredEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.readmodel.base import EventHeader
from application.readmodel.replay import UndecodableEvent, read_notifications
from demo import generate_year
from infrastructure.bootstrap import Container
from infrastructure.decoding import FastDecoder
from infrastructure.header_reading import header_parts
from infrastructure.lazy_events import LazyEvent
from tests.integration.projection_support import Workload


def assert_same(fast: Any, library: Any, where: str) -> None:
    assert type(fast) is type(library), f"{where}: {type(fast)} is not {type(library)}"
    if isinstance(library, dict):
        assert list(fast) == list(library), f"{where}: keys differ"
        for key in library:
            assert_same(fast[key], library[key], f"{where}.{key}")
    elif isinstance(library, list | tuple):
        assert len(fast) == len(library), f"{where}: lengths differ"
        for i, (a, b) in enumerate(zip(fast, library, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif dataclasses.is_dataclass(library) or hasattr(library, "__dict__"):
        if isinstance(library, Enum):
            assert fast is library, where
        else:
            assert_same(vars(fast), vars(library), where)
    else:
        assert fast == library, f"{where}: {fast!r} != {library!r}"
        if hasattr(library, "tzinfo"):
            assert fast.tzinfo == library.tzinfo, f"{where}: time zones differ"


def test_fast_decoder_equals_the_library_mapper_for_every_event(container: Container) -> None:
    ledger = container.ledger
    generate_year(ledger, year=2022, seed=3, townships=3, volunteers=12, activities=10)
    Workload(ledger, seed=5).run(150)
    decoder = FastDecoder(_fast_only(ledger.mapper))
    assert decoder.usable
    topics = set()
    count = 0
    for notifications in read_notifications(ledger, batch=500):
        for n in notifications:
            assert_same(decoder(n), ledger.mapper.to_domain_event(n), f"event {n.id} {n.topic}")
            topics.add(n.topic)
            count += 1
    assert count > 300
    assert len(topics) >= 15, sorted(topics)


def _history(container: Container, seed: int) -> list[Notification]:
    ledger = container.ledger
    generate_year(ledger, year=2022, seed=seed, townships=2, volunteers=10, activities=8)
    Workload(ledger, seed=seed + 5).run(150)
    return [n for batch in read_notifications(ledger, batch=500) for n in batch]


def _lazy(decoder: FastDecoder, n: StoredEvent) -> Any:
    """``n`` as the runner's log reader gives it (at its position, if a notification)."""
    position = getattr(n, "id", 1)
    return decoder.lazy(position, n.originator_id, n.originator_version, n.topic, n.state)


def _field_names(event: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(event)]


def test_every_field_of_a_lazy_event_is_what_the_library_mapper_gives(
    container: Container,
) -> None:
    """What the runner hands projections: for every event, an instance of its class whose
    every field, read, is the library's value (converted from the state itself: the
    decoder it would fall back on refuses). The first event of a class converts each field
    as it is read; the next ones were given, up front, every field read of the first."""
    mapper = container.ledger.mapper
    decoder = FastDecoder(_fast_only(mapper))
    notifications = _history(container, seed=4)
    seen = set()
    for n in notifications:
        event = mapper.to_domain_event(n)
        lazy = _lazy(decoder, n)
        where = f"event {n.id} {n.topic}"
        assert isinstance(lazy, LazyEvent) and isinstance(lazy, type(event)), where
        assert n.topic == type(lazy).TOPIC
        converted = set(vars(lazy))
        if n.topic in seen:
            assert converted == set(vars(event)), where
        else:
            assert converted == {"originator_id", "originator_version"}, where
            seen.add(n.topic)
        for name in _field_names(event):
            assert_same(getattr(lazy, name), getattr(event, name), f"{where}.{name}")
        assert vars(lazy) == vars(event), where
    assert len(notifications) > 300
    assert len({n.topic for n in notifications}) >= 15


def test_any_fields_read_in_any_order_from_a_lazy_event_are_the_library_mappers(
    container: Container,
) -> None:
    """Whichever fields a handler reads, in whatever order and how often: each is the
    library's value, and a field read again is the same object (converted once)."""
    mapper = container.ledger.mapper
    decoder = FastDecoder(_fast_only(mapper))
    by_topic: dict[str, list[Notification]] = {}
    for n in _history(container, seed=8):
        by_topic.setdefault(n.topic, []).append(n)

    @settings(max_examples=200, deadline=None, database=None)
    @given(data=st.data())
    def reads(data: st.DataObject) -> None:
        n = data.draw(st.sampled_from(by_topic[data.draw(st.sampled_from(sorted(by_topic)))]))
        event, lazy = mapper.to_domain_event(n), _lazy(decoder, n)
        names = data.draw(st.lists(st.sampled_from(_field_names(event)), min_size=1))
        for name in names:
            value = getattr(lazy, name)
            assert_same(value, getattr(event, name), f"event {n.id} {n.topic}.{name}")
            assert getattr(lazy, name) is value

    reads()


def test_a_field_that_cannot_be_converted_fails_as_decoding_does_once_it_is_read(
    container: Container,
) -> None:
    ledger = container.ledger
    Workload(ledger, seed=6).run(40)
    awarded = "volunteer-ledger:Volunteer.PointsAwarded"
    award = [n for batch in read_notifications(ledger) for n in batch if n.topic == awarded][-1]
    damaged = award.state.replace(
        b'"hours":{"_type_":"decimal_str"', b'"hours":{"_type_":"no_such"'
    )
    assert damaged != award.state
    decoder = FastDecoder(ledger.mapper)
    lazy = decoder.lazy(99, award.originator_id, award.originator_version, awarded, damaged)

    assert lazy.points == ledger.mapper.to_domain_event(award).points  # its sound fields read
    with pytest.raises(UndecodableEvent, match=r"event at position 99 .* cannot be decoded") as e:
        _ = lazy.hours
    assert isinstance(e.value.__cause__, MapperDeserialisationError)  # the library's own

    # Hours read of a sound award are converted up front in the next: it does not decode.
    assert decoder.lazy(98, award.originator_id, 1, awarded, award.state).hours > 0
    with pytest.raises(MapperDeserialisationError):
        decoder.lazy(99, award.originator_id, award.originator_version, awarded, damaged)


def test_a_field_missing_from_the_stored_state_is_missing_as_from_the_decoded_event(
    container: Container,
) -> None:
    """An event stored before a field was added (without a new class version): the field
    is absent as it is from the library's event — never None, never another event's."""
    ledger = container.ledger
    Workload(ledger, seed=6).run(40)
    awarded = "volunteer-ledger:Volunteer.PointsAwarded"
    award = [n for batch in read_notifications(ledger) for n in batch if n.topic == awarded][-1]
    state = orjson.loads(award.state)
    del state["insurance_policy"]
    stored = StoredEvent(
        award.originator_id, award.originator_version, awarded, orjson.dumps(state)
    )
    library = ledger.mapper.to_domain_event(stored)
    fresh = FastDecoder(ledger.mapper)  # converts nothing up front yet
    taught = FastDecoder(ledger.mapper)  # converts the policy up front, read of a sound award
    assert _lazy(taught, award).insurance_policy

    for decoder in (fresh, taught):
        lazy = _lazy(decoder, stored)
        assert not hasattr(library, "insurance_policy")
        assert not hasattr(lazy, "insurance_policy")
        assert lazy.points == library.points


def _fast_only(mapper: Any) -> Any:
    """The mapper, for a decoder that must never hand an event to it: anything unusual goes
    to the library, and a fast path that always failed would still give equal events."""
    refusing = copy.copy(mapper)

    def refuse(stored: StoredEvent) -> Any:
        raise AssertionError(f"{stored.topic} of {stored.originator_id} went to the library")

    refusing.to_domain_event = refuse
    return refusing


def test_headers_read_without_decoding_equal_those_of_the_decoded_events(
    container: Container,
) -> None:
    """What the audit trail is given for events no other projection decodes."""
    ledger = container.ledger
    generate_year(ledger, year=2022, seed=3, townships=2, volunteers=8, activities=6)
    Workload(ledger, seed=6).run(100)
    decoder = FastDecoder(ledger.mapper)
    count = 0
    for notifications in read_notifications(ledger, batch=500):
        for n in notifications:
            header = decoder.header(n.originator_id, n.originator_version, n.topic, n.state)
            assert header == EventHeader.of(ledger.mapper.to_domain_event(n)), n.id
            assert header.actor_id, n.id  # every event of ours names who asked for it
            # Read from the ends of the state as stored, not parsed: our layout.
            assert header_parts(n.state) is not None, (n.id, n.topic)
            count += 1
    assert count > 200


@pytest.mark.parametrize(
    ("written", "recorded_at"),
    [
        ("2022-03-01T08:30:00.250000+00:00", "2022-03-01T08:30:00.250000+00:00"),
        ("2022-03-01T08:30:00+00:00", "2022-03-01T08:30:00+00:00"),
        # Not in the form iso() writes: converted as a decoded event's timestamp would be.
        ("2022-03-01T16:30:00.250000+08:00", "2022-03-01T08:30:00.250000+00:00"),
        ("2022-03-01T08:30:00.000000+00:00", "2022-03-01T08:30:00+00:00"),
        ("2022-03-01 08:30:00.250000+00:00", "2022-03-01T08:30:00.250000+00:00"),
    ],
)
def test_a_header_records_the_time_as_the_decoded_event_would(
    container: Container, written: str, recorded_at: str
) -> None:
    decoder = FastDecoder(container.ledger.mapper)
    state = orjson.dumps(
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": written},
            "reason": "x",
            "actor": {
                "_type_": "actor",
                "_data_": {
                    "user_id": "u1",
                    "role": {"_type_": "role", "_data_": "admin"},
                    "correlation_id": "c1",
                },
            },
        }
    )
    topic, version = "volunteer-ledger:Volunteer.Suspended", 3
    header = decoder.header(uuid4(), version, topic, state)
    assert header.recorded_at == recorded_at
    assert (header.actor_id, header.actor_role, header.correlation_id) == ("u1", "admin", "c1")
    assert header == EventHeader.of(decoder.decode(header.originator_id, version, topic, state))


def test_a_header_that_cannot_be_read_fails_as_decoding_does(container: Container) -> None:
    decoder = FastDecoder(container.ledger.mapper)
    with pytest.raises(MapperDeserialisationError):
        decoder.header(
            uuid4(),
            1,
            "volunteer-ledger:Volunteer.Suspended",
            b'{"timestamp":{"_type_":"no_such_type","_data_":"x"}}',
        )


def _state(stamp: Any, actor: Any, *, body: Any = "x", last: bool = True) -> bytes:
    """A Volunteer.Suspended state as the library lays it out (compact, fields in order)."""
    state: dict[str, Any] = {"timestamp": {"_type_": "datetime_iso", "_data_": stamp}}
    if not last:
        state["actor"] = actor
    state["reason"] = body
    if last:
        state["actor"] = actor
    return orjson.dumps(state)


_ABSENT = object()  # an actor written before request ids were kept


def _actor(
    user_id: Any, role: Any, correlation_id: Any, request_id: Any = _ABSENT
) -> dict[str, Any]:
    data = {
        "user_id": user_id,
        "role": {"_type_": "role", "_data_": role},
        "correlation_id": correlation_id,
    }
    if request_id is not _ABSENT:
        data["request_id"] = request_id
    return {"_type_": "actor", "_data_": data}


SUSPENDED = "volunteer-ledger:Volunteer.Suspended"


ORIGINATOR = uuid4()


def _header_or_error(decoder: FastDecoder, state: bytes, read: str) -> Any:
    originator = ORIGINATOR
    try:
        if read == "header":
            return decoder.header(originator, 2, SUSPENDED, state)
        return EventHeader.of(decoder.decode(originator, 2, SUSPENDED, state))
    except Exception as e:
        return type(e)


def _assert_header_agrees(decoder: FastDecoder, state: bytes) -> None:
    """The header read from ``state`` is the decoded event's, or both readings fail."""
    header = _header_or_error(decoder, state, "header")
    decoded = _header_or_error(decoder, state, "decode")
    if isinstance(decoded, EventHeader):
        assert header == decoded, state
    else:
        assert not isinstance(header, EventHeader), (state, header)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    user_id=st.one_of(st.text(max_size=12), st.sampled_from(["u1", "王小明", ' "x"\\', " "])),
    role=st.one_of(st.sampled_from(["admin", "auditor", "team_leader"]), st.text(max_size=8)),
    correlation_id=st.one_of(st.text(max_size=12), st.none(), st.integers(-9, 9)),
    request_id=st.one_of(st.just(_ABSENT), st.text(max_size=12), st.none(), st.integers(-9, 9)),
    stamp=st.one_of(
        st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
        st.sampled_from(["2022-03-01T08:30:00+00:00", "2022-03-01", "yesterday", ""]),
    ),
    body=st.one_of(st.text(max_size=20), st.just(',"actor":{"a":1}}')),
    last=st.booleans(),
)
def test_a_header_read_from_the_bytes_agrees_with_decoding_whatever_the_values(
    container: Container,
    user_id: Any,
    role: Any,
    correlation_id: Any,
    request_id: Any,
    stamp: str,
    body: Any,
    last: bool,
) -> None:
    """Ids with quotes, backslashes, control characters or Chinese, unknown roles, blank ids,
    odd timestamps, an actor that is not the last field, a body that looks like an actor:
    the header is the decoded event's, or both fail."""
    decoder = FastDecoder(container.ledger.mapper)
    _assert_header_agrees(
        decoder,
        _state(stamp, _actor(user_id, role, correlation_id, request_id), body=body, last=last),
    )


@pytest.mark.parametrize(
    ("user_id", "role", "correlation_id", "last", "body"),
    [
        ("staff-1", "admin", "req-1", True, "x"),
        ("王小明", "station_staff", "请求-1", True, "x"),
        (" ", "admin", "req-1", True, "x"),  # blank: decoding refuses it
        ("staff-1", "nobody", "req-1", True, "x"),  # an unknown role: refused
        ('say "hi"', "admin", "req-1", True, "x"),
        ("back\\slash", "admin", "req-1", True, "x"),
        ("tab\there", "admin", "req-1", True, "x"),
        ("staff-1", "admin", None, True, "x"),
        ("staff-1", "admin", "", True, "x"),
        ("staff-1", "admin", "req-1", False, "x"),  # the actor is not the last field
        ("staff-1", "admin", "req-1", False, ',"actor":{"a":1}}'),
        # Another actor nested in the last field, where the state ends.
        ("staff-1", "admin", "req-1", False, {"n": 1, "actor": _actor("other", "admin", "r")}),
    ],
)
def test_a_header_agrees_with_decoding_for_awkward_actors(
    container: Container,
    user_id: str,
    role: str,
    correlation_id: str | None,
    last: bool,
    body: Any,
) -> None:
    decoder = FastDecoder(container.ledger.mapper)
    for stamp in ("2022-03-01T08:30:00+00:00", "2022-03-01T16:30:00.5+08:00", "soon"):
        state = _state(stamp, _actor(user_id, role, correlation_id), body=body, last=last)
        _assert_header_agrees(decoder, state)


def test_the_header_of_our_layout_is_read_without_parsing_and_a_damaged_body_does_not_hide_it(
    container: Container,
) -> None:
    """The audit trail still lists an event whose body cannot be decoded (the projections that
    read bodies stop on it, naming it); its header is read from the two ends of the state."""
    decoder = FastDecoder(container.ledger.mapper)
    actor = _actor("staff-王", "station_staff", "req-1")
    good = _state("2022-03-01T08:30:00+00:00", actor)
    assert header_parts(good) == (
        "2022-03-01T08:30:00+00:00",
        "staff-王",
        "station_staff",
        "req-1",
        "",
    )
    with_client_id = _state(
        "2022-03-01T08:30:00+00:00", _actor("staff-王", "station_staff", "req-1", "clerk-7")
    )
    assert header_parts(with_client_id) == (
        "2022-03-01T08:30:00+00:00",
        "staff-王",
        "station_staff",
        "req-1",
        "clerk-7",
    )
    damaged = good.replace(b'"reason":"x"', b'"reason":{"_type_":"no_such_type","_data_":1}')
    with pytest.raises(MapperDeserialisationError):
        decoder.decode(uuid4(), 2, SUSPENDED, damaged)
    header = decoder.header(uuid4(), 2, SUSPENDED, damaged)
    assert (header.recorded_at, header.actor_id, header.actor_role, header.correlation_id) == (
        "2022-03-01T08:30:00+00:00",
        "staff-王",
        "station_staff",
        "req-1",
    )
    # Not our layout: read by parsing.
    assert header_parts(_state("2022-03-01T08:30:00+00:00", actor, last=False)) is None
    assert header_parts(_state("2022-03-01T08:30:00+00:00", _actor('a"b', "admin", ""))) is None


def test_fast_decoder_fails_as_the_library_does(container: Container) -> None:
    decoder = FastDecoder(container.ledger.mapper)
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic="volunteer-ledger:Volunteer.Suspended",
        state=b'{"timestamp":{"_type_":"no_such_type","_data_":"x"}}',
    )
    with pytest.raises(MapperDeserialisationError):
        container.ledger.mapper.to_domain_event(stored)
    with pytest.raises(MapperDeserialisationError):
        decoder(stored)
