"""The use-case tier: the application on the library's in-memory store (POPO).

No file, no server, no read models: each test gets a fresh ledger in a few milliseconds
and runs the use cases exactly as the service does (the same rulebook, mapper and
aggregate cache). What needs a store or a read model is proved in tests/integration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.ledger import VolunteerLedger
from infrastructure.bootstrap import in_memory_ledger
from tests.support.clock import fixed_clock


@pytest.fixture
def ledger() -> Iterator[VolunteerLedger]:
    app = in_memory_ledger(clock=fixed_clock)
    try:
        yield app
    finally:
        app.close()
