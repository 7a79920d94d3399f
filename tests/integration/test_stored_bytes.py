"""The service stores every event with the bytes the library's own mapper would have written."""

from __future__ import annotations

from eventsourcing.persistence import Mapper

from application.readmodel.replay import read_notifications
from demo import generate_year
from infrastructure.bootstrap import Container
from infrastructure.encoding import FastEncodingMapper
from tests.integration.projection_support import Workload


def test_every_stored_event_is_what_the_library_mapper_writes(container: Container) -> None:
    ledger = container.ledger
    assert isinstance(ledger.mapper, FastEncodingMapper) and ledger.mapper.usable
    library = Mapper(ledger.mapper.transcoder)
    generate_year(ledger, year=2022, seed=3, townships=3, volunteers=12, activities=10)
    Workload(ledger, seed=5).run(150)
    topics = set()
    count = 0
    for notifications in read_notifications(ledger, batch=500):
        for n in notifications:
            event = library.to_domain_event(n)
            assert library.to_stored_event(event).state == n.state, f"event {n.id} {n.topic}"
            topics.add(n.topic)
            count += 1
    assert count > 300
    assert len(topics) >= 15, sorted(topics)
