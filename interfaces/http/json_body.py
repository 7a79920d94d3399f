"""The JSON body a route sends, encoded once: what the answer cache keeps and resends."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.encoders import ENCODERS_BY_TYPE, jsonable_encoder


def encode_json(value: Any) -> bytes:
    """What FastAPI's JSONResponse would send for ``value`` (``jsonable_encoder`` then
    compact JSON), at a fraction of the cost: the standard encoder walks the value and
    hands only what it cannot encode itself (decimals, times, UUIDs, models…) to
    ``jsonable_encoder``, whose answer for everything else would be the value itself.
    (Dictionary keys never reach ``default``: a key the encoder refuses takes the full way.)
    """
    try:
        text = json.dumps(value, default=_leaf, **_COMPACT)
    except TypeError:
        text = json.dumps(jsonable_encoder(value), **_COMPACT)
    return text.encode("utf-8")


# The leaves jsonable_encoder itself answers by its ENCODERS_BY_TYPE table for exactly
# these types (no other branch of it applies to them): taken from the table directly.
_LEAVES = {
    t: ENCODERS_BY_TYPE[t] for t in (Decimal, dt.date, dt.datetime, dt.time, dt.timedelta, UUID)
}


def _leaf(value: Any) -> Any:
    encode = _LEAVES.get(type(value))
    return jsonable_encoder(value) if encode is None else encode(value)


_COMPACT: dict[str, Any] = {
    "ensure_ascii": False,
    "allow_nan": False,
    "separators": (",", ":"),
}
