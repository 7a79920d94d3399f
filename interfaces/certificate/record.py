"""What a certificate says, read from the read models at one log position.

The figures come from the volunteer's ledger (the awards standing, not reversed; the
training completed), within a year when one is asked for; the commendations from the
volunteer's record. The certificate is pinned to the position the read models had reached
when they were read and to the hash chain's head there, and the statement signed with the
seal key carries both, so every figure can be traced to the log and checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.errors import NotFound
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.store import Row
from domain.volunteer import Volunteer
from infrastructure.audit import chained
from infrastructure.bootstrap import Container
from infrastructure.certificates import sign_statement
from interfaces.http.routers.volunteers import mask_national_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ServiceLine:
    day: str
    title: str
    category: str
    hours: Decimal
    points: Decimal


@dataclass(frozen=True)
class TrainingLine:
    day: str
    course: str
    hours: Decimal


@dataclass
class Certificate:
    volunteer_id: str
    name: str
    masked_id: str
    township: str
    year: int | None
    service: list[ServiceLine]
    training: list[TrainingLine]
    commendations: list[str]
    hours: Decimal
    points: Decimal
    training_hours: Decimal
    office: str
    issued: date
    position: int
    head_hash: str
    statement: str = ""
    claims: dict[str, Any] = field(default_factory=dict)


def _number(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def _text(value: Decimal) -> str:
    """A figure as it is printed and signed: no exponent, no trailing zeros."""
    shown = format(value.normalize(), "f")
    return shown if "." not in shown else shown.rstrip("0").rstrip(".")


def gather(container: Container, volunteer_id: UUID, year: int | None, office: str) -> Certificate:
    """The certificate's figures from the read models (waiting, bounded, for them to reach
    the log's head), pinned to the position they had reached."""
    ledger = container.ledger
    volunteer = ledger.load(Volunteer, volunteer_id, read_only=True)
    container.wait_for(chained(ledger).max_position(), 10.0)
    reads = container.read_models()
    entries = _entries(reads, volunteer_id)
    position = container.read_position()
    service = _service(container, reads, _standing(entries, "award", year))
    training = _standing(entries, "training", year)
    lines = _training(training)
    return Certificate(
        volunteer_id=str(volunteer_id),
        name=volunteer.name,
        masked_id=mask_national_id(volunteer.national_id) or "",
        township=str(volunteer.township),
        year=year,
        service=service,
        training=lines,
        commendations=sorted(volunteer.commendations.values()),
        hours=_hours(service),
        points=_points(service) + _entry_points(training),
        training_hours=_hours(lines),
        office=office,
        issued=datetime.now(SHANGHAI).date(),
        position=position,
        head_hash=_head_hash(container, position),
    )


def _entries(reads: ReadModels, volunteer_id: UUID) -> list[Row]:
    """The volunteer's ledger entries (none read yet: not found)."""
    account = reads.ledger(str(volunteer_id))
    if account is None:
        raise NotFound("Volunteer", volunteer_id)
    entries: list[Row] = account["entries"]
    return entries


def _hours(lines: Sequence[ServiceLine | TrainingLine]) -> Decimal:
    return sum((line.hours for line in lines), Decimal(0))


def _points(service: list[ServiceLine]) -> Decimal:
    return sum((s.points for s in service), Decimal(0))


def _entry_points(entries: list[Row]) -> Decimal:
    return sum((_number(e["points"]) for e in entries), Decimal(0))


def _head_hash(container: Container, position: int) -> str:
    """The hash chain's head at ``position``, in hex ("" before the chain's first link)."""
    link = chained(container.ledger).chain_head(at=position)
    return link.hash.hex() if link is not None else ""


def _standing(entries: list[Row], kind: str, year: int | None) -> list[Row]:
    """The ledger entries of ``kind`` not reversed, within ``year`` if one is given."""
    return [e for e in entries if e["kind"] == kind and not e["reversed"] and _within(e, year)]


def _training(entries: list[Row]) -> list[TrainingLine]:
    return sorted(
        (
            TrainingLine(_day(e), str(e["detail"].get("course", "")), _number(e["hours"]))
            for e in entries
        ),
        key=lambda t: (t.day, t.course),
    )


def _day(entry: Row) -> str:
    return str(entry.get("service_date") or "")


def _within(entry: Row, year: int | None) -> bool:
    return year is None or _day(entry).startswith(f"{year:04d}-")


def _service(container: Container, reads: ReadModels, awards: list[Row]) -> list[ServiceLine]:
    """A line per award standing, with its activity's title and category (in Chinese), in
    date order."""
    titles: dict[str, str] = {}
    service = []
    for entry in awards:
        activity_id = str(entry.get("activity_id") or "")
        if activity_id not in titles:
            titles[activity_id] = _title(reads, activity_id)
        service.append(
            ServiceLine(
                _day(entry),
                titles[activity_id],
                _category_zh(container, entry.get("category")),
                _number(entry["hours"]),
                _number(entry["points"]),
            )
        )
    service.sort(key=lambda s: (s.day, s.title))
    return service


def _title(reads: ReadModels, activity_id: str) -> str:
    """The activity's title; its id when the read models do not know it."""
    row = reads.activity(activity_id) if activity_id else None
    return str(row["title"]) if row else activity_id


def _category_zh(container: Container, code: Any) -> str:
    """The service category in Chinese; the code itself for one the rulebook does not name."""
    return container.rulebook.category_zh(code) or str(code or "")


def signed(certificate: Certificate, key: Ed25519PrivateKey) -> Certificate:
    """The certificate with its statement: the claims a reader checks, signed."""
    claims = {
        "v": 1,
        "name": certificate.name,
        "id": certificate.masked_id,
        "hours": _text(certificate.hours),
        "points": _text(certificate.points),
        "training_hours": _text(certificate.training_hours),
        "activities": len(certificate.service),
        "year": certificate.year or "全部",
        "office": certificate.office,
        "issued": certificate.issued.isoformat(),
        "position": certificate.position,
        "head": certificate.head_hash,
    }
    certificate.statement = sign_statement(key, claims)
    certificate.claims = claims
    return certificate


def figure(value: Decimal | int) -> str:
    """A figure as printed; the template's sums over no rows are the integer 0."""
    return _text(Decimal(value))
