"""Events are stored with exactly the bytes the library's mapper would write, and fail as it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.values import Actor, Category, HoursSource, Interval, Role
from infrastructure.encoding import FastEncodingMapper
from infrastructure.transcodings import ledger_transcodings


def _library() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *ledger_transcodings()):
        transcoder.register(transcoding)
    return Mapper(transcoder)


LIBRARY = _library()
FAST = FastEncodingMapper.replacing(LIBRARY, immutable=(Actor, Category))


class Unregistered:
    pass


class Text(str):
    pass


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(minutes=-150))])
MOMENTS = st.datetimes(timezones=st.one_of(st.none(), ZONES))
ACTORS = st.builds(Actor, st.text(min_size=1).filter(str.strip), st.sampled_from(Role), st.text())
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec="utf-8")),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x3000)),
    st.uuids().map(lambda u: UUID(int=u.int)),
    MOMENTS,
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(HoursSource),
    ACTORS,
    st.sampled_from(["health_education", "emergency_rescue"]).map(Category),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2999, 1, 1), timezones=ZONES
    ).map(lambda m: Interval(m, m + timedelta(hours=2))),
)
ODD = st.sampled_from([Unregistered(), Text("sub"), float("nan"), {1: "int key"}, {None: 0}])
VALUES = st.recursive(
    st.one_of(LEAVES, ODD),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(), inner, max_size=4),
    ),
    max_leaves=12,
)


def _outcome(encode: Any, state: dict[str, Any]) -> bytes | type[BaseException]:
    try:
        result: bytes = encode(state)
        return result
    except Exception as e:  # the same kind of failure counts as the same outcome
        return type(e)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(), VALUES, max_size=8))
def test_any_state_is_written_as_the_library_writes_it(state: dict[str, Any]) -> None:
    expected = _outcome(LIBRARY.transcoder.encode, state)
    assert _outcome(FAST.encode_state, state) == expected
    assert _outcome(FAST.encode_state, state) == expected  # again, from remembered texts


def test_every_control_and_unicode_character_is_escaped_as_json_escapes_it() -> None:
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    state = {"text": chars, chars[:200]: "key"}
    assert FAST.encode_state(state) == LIBRARY.transcoder.encode(state)


def test_a_lone_surrogate_fails_as_in_the_library() -> None:
    with pytest.raises(UnicodeEncodeError):
        LIBRARY.transcoder.encode({"text": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        FAST.encode_state({"text": "\ud800"})


def test_a_remembered_value_is_rewritten_once_it_is_another_object() -> None:
    first = Actor("甲", Role.ADMIN, "r1")
    assert FAST.encode_state({"actor": first}) == LIBRARY.transcoder.encode({"actor": first})
    second = Actor("乙", Role.AUDITOR, "r2")
    assert b'"\xe4\xb9\x99"' in FAST.encode_state({"actor": second})  # 乙, not 甲
    assert FAST.encode_state({"actor": second}) == LIBRARY.transcoder.encode({"actor": second})


def test_stored_events_equal_the_library_mappers() -> None:
    from domain.activity import ServiceActivity

    actor = Actor("staff", Role.STATION_STAFF, "corr")
    zone = timezone(timedelta(hours=8))
    day = datetime(2022, 5, 11, 8, tzinfo=zone)
    activity = ServiceActivity.plan(
        title='健康讲座 "社区" \\ 站',  # quotes and a backslash to escape (a line break is refused)
        category=Category("health_education"),
        team_id=UUID(int=7),
        township="巴彦镇",
        station="巴彦镇退役军人服务站",
        location="广场",
        window=Interval(day, day + timedelta(hours=10)),
        beneficiary_types=[],
        capacity=3,
        actor=actor,
    )
    for n in range(3):
        activity.record_hours(
            volunteer_id=UUID(int=n),
            interval=Interval(day + timedelta(hours=1), day + timedelta(hours=3)),
            source=HoursSource.CHECKIN,
            tolerance=timedelta(minutes=30),
            actor=actor,
        )
    events = activity.collect_events()
    assert len(events) == 7
    assert [FAST.to_stored_event(e) for e in events] == [LIBRARY.to_stored_event(e) for e in events]
