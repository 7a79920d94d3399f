"""Response bodies of the people side: the directory's volunteers, teams and stations, a
volunteer's point ledger, insurance lists and courtesy vouchers, as the read models give
them. Each declares the read model's fields in the read model's order, so ``/docs`` shows
them; a field a read model gains later still passes through (``extra="allow"``).

Values are what the read models store: ids, times, dates and decimals as strings (decimals
exact, e.g. ``"12.5"``), positions and counts as integers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_AS_READ = ConfigDict(extra="allow")


class VolunteerEntry(BaseModel):
    """A volunteer in the directory. ``national_id`` is shown in full to admins only
    (first 6 and last 4 characters otherwise); ``phone`` is masked for auditors."""

    model_config = _AS_READ
    volunteer_id: str
    name: str
    national_id: str | None
    phone: str | None
    person_type: str
    township: str
    skills: list[str]
    status: str = Field(description="active, suspended or withdrawn")
    registered_at: str
    position: int = Field(description="the log position of the volunteer's last change")


class VolunteerPage(BaseModel):
    """A page of volunteers: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[VolunteerEntry]
    next_cursor: str | None


class LedgerEntry(BaseModel):
    """One entry of a point ledger: an award, training, redemption or reversal."""

    model_config = _AS_READ
    entry_id: str
    kind: str
    points: str = Field(description="signed: a redemption or reversal is negative")
    hours: str | None
    activity_id: str | None
    category: str | None
    service_date: str | None
    rulebook_version: str | None
    recorded_at: str
    position: int
    balance_after: str
    reversed: bool
    detail: dict[str, Any] = Field(description="what the entry is for, by kind")
    category_zh: str | None = None
    reverses: str | None = Field(default=None, description="the entry a reversal reverses")


class VolunteerLedger(BaseModel):
    """A volunteer's point ledger: balance, totals and every entry with its position."""

    model_config = _AS_READ
    volunteer_id: str
    balance: str
    lifetime_points: str
    credited_hours: str
    backfilled_hours: str
    training_hours: str
    position: int
    entries: list[LedgerEntry]


class TeamEntry(BaseModel):
    """A team in the directory."""

    model_config = _AS_READ
    team_id: str
    name: str
    level: str
    township: str
    station: str | None
    station_id: str | None
    dissolved: bool | int
    member_count: int
    leader_id: str | None
    formed_at: str
    position: int


class TeamMember(BaseModel):
    volunteer_id: str
    role: str = Field(description="member, leader or deputy")


class Team(TeamEntry):
    """A team with its members."""

    members: list[TeamMember]


class TeamPage(BaseModel):
    """A page of teams: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[TeamEntry]
    next_cursor: str | None


class StationEntry(BaseModel):
    """A registered station (a village station names its township station as parent)."""

    model_config = _AS_READ
    station_id: str
    name: str
    level: str = Field(description="banner_centre, township or village")
    township: str
    parent_id: str | None
    closed: bool
    close_reason: str | None
    registered_at: str
    position: int


class StationPage(BaseModel):
    """A page of stations: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[StationEntry]
    next_cursor: str | None


class UncoveredVolunteer(BaseModel):
    model_config = _AS_READ
    volunteer_id: str
    name: str
    township: str
    phone: str | None
    last_covered_to: str | None = Field(description="when their last cover ended, if any")


class Uncovered(BaseModel):
    """Active volunteers no policy covers on ``on``."""

    on: str
    items: list[UncoveredVolunteer]


class ExpiringPolicy(BaseModel):
    model_config = _AS_READ
    volunteer_id: str
    name: str
    township: str
    status: str
    policy_number: str
    insurer: str
    kind: str
    covers_to: str
    days_left: int


class Expiring(BaseModel):
    """Policies whose cover ends within ``within_days`` days from ``today``, soonest first."""

    today: str
    within_days: int
    items: list[ExpiringPolicy]


class Voucher(BaseModel):
    """A courtesy voucher: whose it is, for which benefit, and whether it was used."""

    model_config = _AS_READ
    voucher_code: str
    entry_id: str
    volunteer_id: str
    volunteer_name: str | None
    township: str | None
    benefit: str
    benefit_zh: str
    points: str
    status: str = Field(description="issued or used")
    issued_at: str
    issued_by: str
    used_at: str | None
    used_by: str | None


class Vouchers(BaseModel):
    """A volunteer's courtesy vouchers, newest first."""

    volunteer_id: str
    items: list[Voucher]


class TypeCount(BaseModel):
    count: int
    label_zh: str


class ServedUnit(BaseModel):
    model_config = _AS_READ
    unit_id: str | None
    name: str
    activities: int
    people: int
    by_type: dict[str, TypeCount]


class Beneficiaries(BaseModel):
    """People served by beneficiary type, per station, team, category or township."""

    model_config = _AS_READ
    period: str
    by: str
    total: int
    by_type: dict[str, TypeCount]
    rows: list[ServedUnit]


class MediaItem(BaseModel):
    model_config = _AS_READ
    activity_id: str
    activity_title: str | None
    township: str | None
    station_id: str | None
    station: str | None
    team_id: str | None
    outlet: str
    level: str
    level_zh: str
    url: str | None
    published_on: str | None


class Media(BaseModel):
    """Media coverage published in the period."""

    period: str
    items: list[MediaItem]
