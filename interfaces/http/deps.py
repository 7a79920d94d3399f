"""Dependencies shared by the routers: the container, fresh read models, paging, If-Match.

They are ``async def`` where they do no I/O (or hand the I/O to a thread themselves):
FastAPI runs every plain ``def`` dependency in the thread pool, a hop per dependency.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.bootstrap import Container
from interfaces.http.problems import Problem
from interfaces.http.readcache import ANSWERED, MISS, Miss, ReadCache
from interfaces.http.schemas import Moment

READ_WAIT_SECONDS = 5.0
MAX_POSITION = 2**63 - 1  # the stores' integer range


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def read_models(
    request: Request,
    container: ContainerDep,
    min_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Answer only once the read models reflect this log position "
            "(422 if the log has not reached it; 503 with Retry-After if they do not within "
            "5 s, or if too many reads are already waiting).",
        ),
    ] = None,
) -> ReadModels:
    """The projections, after waiting (up to 5 s, else 503) for ``min_position`` if given."""
    request.state.min_position = min_position
    if min_position:
        await run_in_threadpool(
            wait_for_position, container, min_position, "min_position", replica=True
        )
    return container.read_models()


def wait_for_position(
    container: Container, position: int, field: str, *, replica: bool = False
) -> None:
    """Wait (bounded, and only as one of a bounded number) for the read models to reach
    ``position`` (with ``replica``, those :meth:`Container.read_models` reads); a position
    the log has not reached is refused at once."""
    if container.read_position(replica=replica) >= position:
        return
    head = container.ledger.current_position()
    if position > head:
        message = f"position {position} is beyond the log's head ({head})"
        raise Problem(
            422,
            "validation",
            "Invalid request",
            f"{field}: {message}; nothing up to it has been recorded",
            errors=[{"field": field, "message": message}],
            head=head,
            detail_zh=f"{field}：日志位置{position}超出日志末端（{head}），尚无该位置的记录",
        )
    container.wait_bounded(position, timeout=READ_WAIT_SECONDS, replica=replica)


def _time_travel_conflict() -> Problem:
    message = "give as_of_position or known_at, not both"
    return Problem(
        422,
        "validation",
        "Invalid request",
        message,
        errors=[
            {"field": "as_of_position", "message": message},
            {"field": "known_at", "message": message},
        ],
        detail_zh="as_of_position 与 known_at 只能给出其一",
    )


def known_at_position(container: Container, known_at: datetime) -> int:
    """The last log position recorded at or before ``known_at`` (from the live audit trail)."""
    if known_at.tzinfo is None:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            "known_at must be an RFC 3339 time with an offset",
            errors=[
                {"field": "known_at", "message": "an offset (such as +08:00 or Z) is required"}
            ],
            detail_zh="known_at：须为带时区的 RFC 3339 时间（如 2024-05-01T09:00:00+08:00）",
        )
    wait_for_position(container, container.ledger.current_position(), "known_at", replica=True)
    return container.read_models().position_known_at(known_at.astimezone(UTC).isoformat())


async def as_of_cut(
    container: ContainerDep,
    as_of_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Time travel: the state built from events up to this position.",
        ),
    ] = None,
    known_at: Annotated[
        Moment | None,
        Query(
            description="Time travel (RFC 3339 with an offset): the state built from the events "
            "recorded up to this time. Not together with `as_of_position`."
        ),
    ] = None,
) -> int | None:
    """The log position a time-travel read is cut at (None: a live read)."""
    if as_of_position is not None and known_at is not None:
        raise _time_travel_conflict()
    if known_at is not None:
        return await run_in_threadpool(known_at_position, container, known_at)
    if as_of_position is not None:
        head = await run_in_threadpool(container.ledger.current_position)
        return min(as_of_position, head)
    return None


AsOfCut = Annotated[int | None, Depends(as_of_cut)]


def replayed(
    container: Container, as_of_position: int | None, known_at: datetime | None
) -> ReadModels:
    """The read models at a cut (blocking; for callers outside a request's dependencies):
    bounded and kept by cut as every time-travel read is."""
    if known_at is not None:
        cut = known_at_position(container, known_at)
    else:
        assert as_of_position is not None
        cut = min(as_of_position, container.ledger.current_position())
    return container.as_of.read_models_at(cut)


async def projection_reads(
    container: ContainerDep,
    live: Annotated[ReadModels, Depends(read_models)],
    cut: AsOfCut,
) -> ReadModels:
    """The live read models, or with ``as_of_position``/``known_at`` a replay up to that point
    (503 with Retry-After when this process already runs its limit of replays)."""
    if cut is None:
        return live
    return await run_in_threadpool(container.as_of.read_models_at, cut)


LiveReads = Annotated[ReadModels, Depends(read_models)]
Reads = Annotated[ReadModels, Depends(projection_reads)]


class CachedReads:
    """The request's read models and the process's answer cache, used together."""

    def __init__(
        self, reads: ReadModels, cache: ReadCache, exact: bool, state: dict[str, Any]
    ) -> None:
        self.reads = reads
        self.cache = cache
        self.exact = exact  # min_position given: the positions must come from the store
        self.state = state  # the request's scope state: where the answer's positions go

    async def answer(
        self,
        projections: tuple[str, ...],
        key: Hashable,
        compute: Callable[[], Any],
        encode: Callable[[Any], bytes] | None = None,
    ) -> bytes | None:
        """A cache hit without a thread; else computed (and kept) in the thread pool.

        The positions a live answer was read at are left in the request's state
        (``ANSWERED``): the outermost layer may then resend the whole response."""
        peeked = MISS if self.exact else self.cache.peek(self.reads, projections, key)
        if isinstance(peeked, Miss):
            body, positions = await run_in_threadpool(
                partial(
                    self.cache.answer,
                    self.reads,
                    projections,
                    key,
                    compute,
                    encode,
                    ask=self.exact,
                )
            )
        else:
            body, positions = peeked
        if positions is not None:
            self.state[ANSWERED] = (projections, positions)
        return body


async def cached_reads(request: Request, reads: Reads) -> CachedReads:
    return _cached(request, reads)


async def cached_live_reads(request: Request, reads: LiveReads) -> CachedReads:
    return _cached(request, reads)


AnswerCache = ReadCache  # for pages and routers: the cache is chosen in app.py, not by them


def answer_cache(request: Request) -> AnswerCache:
    """The process's answer cache, as ``create_app`` set it up."""
    cache: AnswerCache = request.app.state.read_cache
    return cache


def _cached(request: Request, reads: ReadModels) -> CachedReads:
    return CachedReads(
        reads,
        answer_cache(request),
        bool(getattr(request.state, "min_position", None)),
        request.scope.setdefault("state", {}),
    )


Cached = Annotated[CachedReads, Depends(cached_reads)]
CachedLive = Annotated[CachedReads, Depends(cached_live_reads)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page.")]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='`"<version>"`: write only if the record is still at that version, '
            "else 412."
        ),
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    found = _ETAG.match(if_match)
    if not found:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            f'If-Match {if_match!r} must be a quoted version number such as "3"',
            errors=[{"field": "If-Match", "message": 'expected "<version>"'}],
            detail_zh='If-Match：须为带引号的版本号，如 "3"',
        )
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(expected_version)]
