"""What the availability drills share: acknowledged writes kept by the client, the log read back.

A write is a volunteer's registration (one event); the client keeps each acknowledged
one's id and log position, so after a failover or a restore the log can be asked which of
them it holds — by position and exactly once.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from pathlib import Path

from application.commands.people import RegisterVolunteer
from application.ledger import VolunteerLedger
from domain.values import Actor, PersonType, Role, national_id_check_char

CLI = str(Path(sys.executable).parent / "volunteer-ledger")
ACTOR = Actor("drill", Role.ADMIN, "req-drill")
_serial = count(1)


def unique_national_id() -> str:
    """A valid, never-repeated resident identity number (a birth date per serial)."""
    n = next(_serial)
    born = date(1950, 1, 1) + timedelta(days=n)
    first17 = f"150627{born:%Y%m%d}{n % 1000:03d}"
    return first17 + national_id_check_char(first17)


def registration(n: int) -> dict[str, object]:
    """The body of ``POST /volunteers`` for the ``n``-th drill write."""
    return {
        "name": f"演练{n}",
        "national_id": unique_national_id(),
        "phone": "13800000000",
        "person_type": "veteran",
        "township": "嘎鲁图镇",
        "skills": [],
    }


@dataclass(frozen=True)
class Ack:
    """An acknowledged write: the aggregate it made and the position of its event."""

    id: str
    position: int


class Writer(threading.Thread):
    """Registers volunteers through the application until stopped, keeping every ack."""

    def __init__(self, ledger: VolunteerLedger) -> None:
        super().__init__(daemon=True)
        self.ledger = ledger
        self.acks: list[Ack] = []
        self.stopping = threading.Event()
        self.written = threading.Condition()

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            body = registration(n)
            done = self.ledger.register_volunteer(
                RegisterVolunteer(
                    name=str(body["name"]),
                    national_id=str(body["national_id"]),
                    phone="13800000000",
                    person_type=PersonType.VETERAN,
                    township="嘎鲁图镇",
                    skills=[],
                ),
                actor=ACTOR,
            )
            with self.written:
                self.acks.append(Ack(str(done.id), done.position))
                self.written.notify_all()

    def wait_for(self, acks: int) -> list[Ack]:
        """Block until at least ``acks`` writes are acknowledged; those so far."""
        with self.written:
            self.written.wait_for(lambda: len(self.acks) >= acks, timeout=60)
            assert len(self.acks) >= acks, f"only {len(self.acks)} writes in 60 s"
            return list(self.acks)

    def stop(self) -> list[Ack]:
        self.stopping.set()
        self.join(30)
        return list(self.acks)


def held(ledger: VolunteerLedger, acks: list[Ack]) -> list[Ack]:
    """Those of ``acks`` whose event the log holds at their position; each aggregate's
    first event must be in the log once at most (exactly once for those held)."""
    by_position: dict[int, str] = {}
    firsts: Counter[str] = Counter()
    start = 1
    while batch := ledger.recorder.select_notifications(start, 1000):
        for n in batch:
            by_position[n.id] = str(n.originator_id)
            if n.originator_version == 1:
                firsts[str(n.originator_id)] += 1
        start = batch[-1].id + 1
    present = [a for a in acks if by_position.get(a.position) == a.id]
    assert all(firsts[a.id] == 1 for a in present), "a write is in the log twice"
    assert all(firsts[a.id] == 0 for a in acks if a not in present), (
        "a write is in the log at another position than the one acknowledged"
    )
    return present


def cli(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
