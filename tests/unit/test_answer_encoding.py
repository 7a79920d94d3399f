"""Cached answers are encoded exactly as FastAPI's JSONResponse would have encoded them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from fastapi.encoders import jsonable_encoder
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from interfaces.http.json_body import encode_json


class Kind(StrEnum):
    GROUP = "group"
    PERSONAL = "personal"


@dataclass
class Figure:
    name: str
    value: Decimal


class Row(BaseModel):
    id: UUID
    on: date
    points: Decimal


def _fastapi(value: Any) -> bytes:
    """What JSONResponse sends: jsonable_encoder, then compact UTF-8 JSON."""
    return json.dumps(
        jsonable_encoder(value), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.times(),
    st.timedeltas(max_value=timedelta(days=10_000), min_value=timedelta(days=-10_000)),
    st.uuids(),
    st.sampled_from(Kind),
    st.builds(Figure, st.text(), st.decimals(allow_nan=False, allow_infinity=False)),
    st.builds(
        Row,
        id=st.uuids(),
        on=st.dates(),
        points=st.decimals(places=2, min_value=-(10**6), max_value=10**6),
    ),
)
keys = st.one_of(st.text(), st.integers(), st.uuids(), st.dates())
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(keys, inner, max_size=4),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=20,
)


@given(values)
def test_the_fast_encoding_is_byte_for_byte_what_fastapi_sends(value: Any) -> None:
    assert encode_json(value) == _fastapi(value)


def test_a_ledger_like_answer_in_chinese_is_encoded_alike() -> None:
    answer = {
        "volunteer_id": UUID(int=7),
        "balance": Decimal("12.50"),
        "entries": [
            {"kind": "award", "cause": "健康知识进社区", "points": Decimal("3"), "at": time(9)},
            {"kind": Kind.GROUP, "recorded": datetime(2022, 5, 1, 8, tzinfo=UTC)},
        ],
    }
    assert encode_json(answer) == _fastapi(answer)
    assert "健康知识进社区".encode() in encode_json(answer)
