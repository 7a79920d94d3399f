"""The runner's fast decoder gives exactly the events the library's mapper gives.

Every event of a demo year plus a random workload (corrections, reversals, redemptions,
cancellations…), on SQLite and PostgreSQL: same class, same attributes, and every value
of the same type and equal, however deep.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from application.demo import generate_year
from application.readmodel.replay import read_notifications
from infrastructure.bootstrap import Container
from infrastructure.decoding import FastDecoder
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
    decoder = FastDecoder(ledger.mapper)
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
