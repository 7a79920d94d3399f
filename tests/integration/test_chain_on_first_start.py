"""A store recorded before chaining existed gets its chain built when first opened."""

from __future__ import annotations

from application.ledger import VolunteerLedger
from infrastructure.audit import chained, verify_chain
from infrastructure.bootstrap import bootstrap
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings
from tests.support.builders import volunteer
from tests.support.clock import fixed_clock


def test_an_unchained_store_is_chained_on_first_start(store: Settings) -> None:
    env = event_store_env(store)
    env.pop("APPLICATION_RECORDER_TOPIC")  # the library's own recorder: no chain
    before = VolunteerLedger(
        rulebook=load_rulebook(), env=env, transcodings=ledger_transcodings(), clock=fixed_clock
    )
    try:
        volunteer(before)
        volunteer(before, name="李卫东")
        recorded = before.current_position()
    finally:
        before.close()
    assert recorded > 0

    container = bootstrap(store, clock=fixed_clock)
    try:
        report = verify_chain(chained(container.ledger), {})
        assert report.ok and report.checked == recorded and report.head == recorded
        volunteer(container.ledger, name="赵志刚")  # new events chain on from the built head
        after = verify_chain(chained(container.ledger), {})
        assert after.ok and after.head == container.ledger.current_position() > recorded
    finally:
        container.close()
