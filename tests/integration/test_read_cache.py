"""The API's answer cache: one computation per answer however many ask at once, and
positions trusted only as long as no move of the read models could have been missed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infrastructure.bootstrap import Container, bootstrap
from infrastructure.listening import Listener
from infrastructure.settings import Settings
from interfaces.http.readcache import ReadCache


def test_concurrent_askers_share_one_computation(container: Container) -> None:
    cache = ReadCache(container, size=10, listener=None)
    reads = container.read_models()
    calls = 0
    started = threading.Event()

    def compute() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        started.set()
        time.sleep(0.2)  # long enough for every other asker to arrive meanwhile
        return {"answer": 42}

    def ask(_: int) -> bytes | None:
        return cache.answer(reads, ("ledger",), "k", compute)[0]

    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(ask, 0)
        started.wait(5)
        others = list(pool.map(ask, range(7)))
    assert calls == 1
    assert {first.result(), *others} == {b'{"answer":42}'}


def test_askers_compute_their_own_when_the_first_computation_fails(
    container: Container,
) -> None:
    cache = ReadCache(container, size=10, listener=None)
    reads = container.read_models()
    started, release = threading.Event(), threading.Event()

    def failing() -> Any:
        started.set()
        release.wait(5)
        raise RuntimeError("the read failed")

    with ThreadPoolExecutor(2) as pool:
        doomed = pool.submit(cache.answer, reads, ("ledger",), "k", failing)
        started.wait(5)
        waiting = pool.submit(cache.answer, reads, ("ledger",), "k", lambda: [1])
        time.sleep(0.05)
        release.set()
        with pytest.raises(RuntimeError):
            doomed.result(10)
        assert waiting.result(10)[0] == b"[1]"
    # nothing half-done was kept: the next asker computes afresh
    assert cache.answer(reads, ("ledger",), "k", lambda: [2])[0] == b"[2]"


@pytest.fixture
def pg_container(pg_store: Settings) -> Iterator[Container]:
    c = bootstrap(pg_store)
    try:
        yield c
    finally:
        c.close()


@pytest.mark.postgres
def test_heard_positions_are_forgotten_when_a_projection_moves(pg_container: Container) -> None:
    listener = Listener(pg_container.settings)
    cache = ReadCache(pg_container, size=10, listener=listener)
    listener.start()
    try:
        assert listener.listening.wait(10)
        reads = pg_container.read_models()
        _, positions = cache.answer(reads, ("ledger",), "k", lambda: [1])
        assert cache.remembered(("ledger",)) == positions  # trusted without asking
        with pg_container.store.transaction() as tx:
            tx.execute("UPDATE rm_tracking SET position = position + 1 WHERE projection = 'ledger'")
        deadline = time.monotonic() + 5
        while cache.remembered(("ledger",)) is not None:
            assert time.monotonic() < deadline, "the move was not heard"
            time.sleep(0.01)
        # a change that does not move a projection (its error note) is not announced
        _, positions = cache.answer(reads, ("ledger",), "k", lambda: [1])
        with pg_container.store.transaction() as tx:
            tx.execute("UPDATE rm_tracking SET error = NULL WHERE projection = 'ledger'")
        time.sleep(0.3)
        assert cache.remembered(("ledger",)) == positions
    finally:
        listener.close()


def test_first_plain_reads_arriving_together_take_the_route_once(
    pg_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen first reads of a kind (a ranking as CSV) at once: one is routed (and
    computes), the others wait for it and are sent the same answer without routing."""
    import asyncio

    from infrastructure.users import UserStore
    from interfaces.http.app import create_app
    from interfaces.http.sent_answers import SentAnswers
    from tests.support.builders import activity, team

    team(pg_container.ledger)
    activity(pg_container.ledger, team(pg_container.ledger))
    pg_container.runner().catch_up()
    token = UserStore(pg_container.store).add("reader", "auditor")
    app = create_app(pg_container)
    routed = 0
    answer_and_keep = SentAnswers._answer_and_keep

    async def counted(self: SentAnswers, *args: Any, **kwargs: Any) -> Any:
        nonlocal routed
        routed += 1
        return await answer_and_keep(self, *args, **kwargs)

    monkeypatch.setattr(SentAnswers, "_answer_and_keep", counted)

    async def get(
        query: bytes, rid: str, accept: bytes = b""
    ) -> tuple[int, bytes, dict[bytes, bytes]]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/api/v1/rankings",
            "raw_path": b"/api/v1/rankings",
            "query_string": query,
            "root_path": "",
            "headers": [
                (b"host", b"test"),
                (b"authorization", f"Bearer {token}".encode()),
                (b"x-request-id", rid.encode()),
                (b"accept", accept),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent: dict[str, Any] = {"body": b""}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                sent["status"], sent["headers"] = message["status"], dict(message["headers"])
            else:
                sent["body"] += message.get("body", b"")

        await app(scope, receive, send)
        return sent["status"], sent["body"], sent["headers"]

    async def main() -> list[tuple[int, bytes, dict[bytes, bytes]]]:
        async with app.router.lifespan_context(app):
            deadline = time.monotonic() + 5
            while app.state.tokens.cached(token) is None and time.monotonic() < deadline:
                await get(b"unit=team&period=2022", "warm")  # the token becomes trusted
                await asyncio.sleep(0.05)
            warmed = routed
            answers = await asyncio.gather(  # CSV: a kind of read not answered before
                *(get(b"unit=station&period=2022-Q2", f"r{i}", b"text/csv") for i in range(16))
            )
            assert routed - warmed == 1, routed - warmed
            return answers

    answers = asyncio.run(main())
    statuses = {status for status, _, _ in answers}
    bodies = {body for _, body, _ in answers}
    assert statuses == {200} and len(bodies) == 1
    assert bodies.pop().startswith(b"unit_id,name,activities,")
    assert sorted(h[b"x-request-id"] for _, _, h in answers) == sorted(
        f"r{i}".encode() for i in range(16)
    )
    assert {h[b"content-type"] for _, _, h in answers} == {b"text/csv; charset=utf-8"}
