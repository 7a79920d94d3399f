"""The year's cast: stations, teams, volunteers with national ids and insurance, and the
teams they join."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.commands.people import (
    AppointLeader,
    EnrolMember,
    FormTeam,
    RecordInsurance,
    RegisterVolunteer,
)
from application.commands.stations import RegisterStation
from application.ledger import VolunteerLedger
from demo.library import DemoLibrary
from demo.people import birth_of, cover_periods, name_of
from demo.records import Candidate, Counts, Person, Plan, Progress, pool
from demo.tally import Tally
from demo.vocabulary import (
    BANNER_STATION,
    BANNER_TEAM,
    BRAND,
    HOME_AREA,
    MALE_SHARE,
    OTHER_AREAS,
    PERSON_TYPES,
    PHONE_PREFIXES,
    POLICY_TERMS,
    SKILLS,
    TOWNSHIPS,
)
from domain.values import (
    Actor,
    MemberRole,
    Role,
    StationLevel,
    TeamLevel,
    national_id_check_char,
)


class Roster(Tally):
    """The first stage of a demo year: who is there, and the state every later stage uses."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        *,
        year: int,
        seed: int,
        townships: int,
        progress: Progress | None,
    ) -> None:
        self.ledger = ledger
        self.year = year
        self.seed = seed
        self.rng = random.Random(seed)
        self.towns = TOWNSHIPS[:townships]
        self.progress = progress or (lambda stage, done, total: None)
        self.office = Actor("bureau-office", Role.ADMIN)
        self.verifier = Actor("bureau-verifier", Role.ADMIN)
        self.staff = [Actor(f"staff-{slug}", Role.STATION_STAFF) for _, slug, _ in self.towns]
        # By team index, as team_ids: the banner team's staff, then each township's.
        self.team_staff = [Actor("staff-banner", Role.STATION_STAFF), *self.staff]
        self.requests = 0
        self.n = Counts()
        self.people: list[Person] = []
        self.team_ids: list[UUID] = []
        # By team index: the banner's service centre, then township t's station at t + 1.
        self.team_stations: list[UUID] = []
        self.village_ids: list[list[UUID]] = []  # township t's village stations
        self.pools: list[tuple[list[Person], list[float]]] = []
        self.candidates: list[Candidate] = []
        self.seen_awards = 0
        self.ids: set[str] = set()
        # An empty store holds nobody yet: only a store with history needs its ids asked.
        self.store_had_people = ledger.current_position() > 0
        self.library = DemoLibrary(ledger, self.actor, self.office, self.staff)

    def actor(self, who: Actor) -> Actor:
        """Each call is its own request, with a correlation id an auditor can follow."""
        self.requests += 1
        return replace(who, correlation_id=f"demo-{self.seed}-{self.requests}")

    # ------------------------------------------------------------------ people and teams

    def register_stations(self) -> None:
        """The banner's service centre, a station per township and its village stations."""
        centre = RegisterStation(
            name=BANNER_STATION, level=StationLevel.BANNER_CENTRE, township="", parent_id=None
        )
        self.team_stations.append(self._station(centre))
        for name, _, villages in self.towns:
            station = self._station(
                RegisterStation(
                    name=f"{name}退役军人服务站",
                    level=StationLevel.TOWNSHIP,
                    township=name,
                    parent_id=None,
                )
            )
            self.team_stations.append(station)
            self.village_ids.append([self._village_station(name, v, station) for v in villages])

    def _village_station(self, town: str, village: str, parent: UUID) -> UUID:
        return self._station(
            RegisterStation(
                name=f"{town}{village}退役军人服务站",
                level=StationLevel.VILLAGE,
                township=town,
                parent_id=parent,
            )
        )

    def _station(self, command: RegisterStation) -> UUID:
        return self.ledger.register_station(command, actor=self.actor(self.office)).id

    def form_teams(self) -> None:
        """The banner team at the service centre, a team per township at its station."""
        teams = [
            FormTeam(
                name=BANNER_TEAM,
                level=TeamLevel.BANNER,
                township="",
                station_id=self.team_stations[0],
            )
        ]
        teams += [
            FormTeam(
                name=f"{BRAND}{name}退役军人志愿服务队",
                level=TeamLevel.TOWNSHIP,
                township=name,
                station_id=station,
            )
            for (name, _, _), station in zip(self.towns, self.team_stations[1:], strict=True)
        ]
        for team in teams:
            self.team_ids.append(self.ledger.form_team(team, actor=self.actor(self.office)).id)

    def station_for(self, plan: Plan) -> UUID:
        """The banner team serves from the service centre; a township team from its
        township's station, or (every third day) one of its village stations (every
        township has at least one). Chosen without the random generator, so the rest of
        the year is drawn as before."""
        ordinal = plan.day.toordinal()
        if plan.team == 0 or ordinal % 3:
            return self.team_stations[plan.team]
        villages = self.village_ids[plan.township]
        return villages[ordinal // 3 % len(villages)]

    def national_id(self, birth: date, male: bool) -> str:
        """A new person's national id: one this year has not used and the store does not hold."""
        while True:
            number = self._drawn_national_id(birth, male)
            if self._unused(number):
                return number

    def _drawn_national_id(self, birth: date, male: bool) -> str:
        """Born mostly in the banner; the sequence number is odd for men, even for women."""
        rng = self.rng
        area = HOME_AREA if rng.random() < 0.75 else rng.choice(OTHER_AREAS)
        seq = rng.randrange(0, 50) * 2 + int(male)
        first17 = f"{area}{birth:%Y%m%d}{rng.randrange(10)}{seq:02d}"
        return first17 + national_id_check_char(first17)

    def _unused(self, number: str) -> bool:
        """Not drawn before this year, nor held by the store (a store may already hold an
        earlier demo year's people: one person, one record)."""
        if number in self.ids:
            return False
        self.ids.add(number)
        return not self.store_had_people or not self.ledger.volunteers_by_national_id([number])

    def register(self, index: int) -> Person:
        rng = self.rng
        town = index % len(self.towns)
        kind = rng.choices(list(PERSON_TYPES), list(PERSON_TYPES.values()))[0]
        male = rng.random() < MALE_SHARE.get(kind, 0.45)
        birth = birth_of(rng, kind)
        name = name_of(rng, male)
        staff = self.actor(self.staff[town])
        recorded = self.ledger.register_volunteer(
            RegisterVolunteer(
                name=name,
                national_id=self.national_id(birth, male),
                phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                person_type=kind,
                township=self.towns[town][0],
                skills=rng.sample(SKILLS, rng.randint(1, 3)),
            ),
            actor=staff,
        )
        person = Person(recorded.id, town, min(rng.paretovariate(1.4), 12.0), [])
        self.insure(person, index)
        return person

    def insure(self, person: Person, index: int) -> None:
        """Group cover for the year for most; a few uncovered, a few covered for part of it."""
        for number, kind, start, end in cover_periods(self.rng, self.year, person.township, index):
            insurer, sum_insured = POLICY_TERMS[kind]
            self.ledger.record_insurance(
                RecordInsurance(
                    volunteer_id=person.id,
                    policy_number=number,
                    insurer=insurer,
                    kind=kind,
                    covers_from=start,
                    covers_to=end,
                    sum_insured=Decimal(sum_insured),
                ),
                actor=self.actor(self.office),
            )
            person.cover.append((start, end))

    def enrol_all(self) -> None:
        """Everyone joins their township team; a tenth also join the banner team. Each
        township's activities draw from its own people; the banner team's there from them
        and the banner team's members from elsewhere."""
        banner = [p for t in range(len(self.towns)) for p in self._enrol_township_team(t)]
        self._enrol_banner_team(banner)
        for t in range(len(self.towns)):
            self.pools += self._pools_of(t, banner)

    def _pools_of(self, t: int, banner: list[Person]) -> list[tuple[list[Person], list[float]]]:
        """Township ``t``'s two pools: its team's (index 2t), and the banner team's there
        (2t + 1: the township's people and the banner team's members from elsewhere)."""
        own = self.people_of(t)
        return [pool(own), pool(own + [p for p in banner if p.township != t])]

    def people_of(self, township: int) -> list[Person]:
        return [p for p in self.people if p.township == township]

    def _enrol_township_team(self, t: int) -> list[Person]:
        """The township's people join its team, the most active leading, the next deputy
        (each township has at least two people); returns those who also join the banner
        team (the two and some others)."""
        leader, deputy, *others = sorted(self.people_of(t), key=lambda p: -p.weight)
        team_id = self.team_ids[t + 1]
        for person, role in ((leader, MemberRole.MEMBER), (deputy, MemberRole.DEPUTY)):
            self._enrol(team_id, person, role)
            person.weight *= 2
        to_banner = [leader, deputy, *self._enrol_members(team_id, others)]
        self._appoint(team_id, leader)
        return to_banner

    def _enrol_members(self, team_id: UUID, people: list[Person]) -> list[Person]:
        """Each joins as a member; returns the one in twelve or so who also join the banner
        team."""
        to_banner = []
        for person in people:
            self._enrol(team_id, person, MemberRole.MEMBER)
            if self.rng.random() < 0.08:
                to_banner.append(person)
        return to_banner

    def _enrol_banner_team(self, banner: list[Person]) -> None:
        for person in banner:
            self._enrol(self.team_ids[0], person, MemberRole.MEMBER)
        self._appoint(self.team_ids[0], banner[0])

    def _enrol(self, team_id: UUID, person: Person, role: MemberRole) -> None:
        self.ledger.enrol_member(
            EnrolMember(team_id=team_id, volunteer_id=person.id, role=role),
            actor=self.actor(self.office),
        )

    def _appoint(self, team_id: UUID, leader: Person) -> None:
        self.ledger.appoint_leader(
            AppointLeader(team_id=team_id, volunteer_id=leader.id), actor=self.actor(self.office)
        )
