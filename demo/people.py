"""Who a new volunteer is, drawn from the year's seeded random source: born when, named
what, and insured for which part of the year."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date, timedelta

from demo.vocabulary import GIVEN_NAMES, SURNAMES
from domain.values import InsuranceKind, PersonType

# Demobilised veterans were born 1940-1956, everyone else 1948-1995.
BIRTH_YEARS = {PersonType.DEMOBILIZED_VETERAN: (1940, 1956)}


def birth_of(rng: random.Random, kind: PersonType) -> date:
    first, last = BIRTH_YEARS.get(kind, (1948, 1995))
    return date(rng.randint(first, last), 1, 1) + timedelta(days=rng.randrange(365))


def name_of(rng: random.Random, male: bool) -> str:
    """A Mongolian name for two in five, else a Han surname and given name."""
    mongol, han = GIVEN_NAMES[male]
    if rng.random() < 0.4:
        return rng.choice(mongol)
    return rng.choice(SURNAMES) + rng.choice(han)


Policy = tuple[str, InsuranceKind, date, date]


def cover_periods(rng: random.Random, y: int, township: int, index: int) -> list[Policy]:
    """A person's policies this year: none for a few, part of the year for a few, the
    township's group policy then their own for some, the whole year for the rest."""
    roll = rng.random()
    group = f"PICC-{y}-TT{township + 1:02d}-GRP"
    return COVERS[bisect(COVER_SHARES, roll)](rng, y, group, index)


def _never(rng: random.Random, y: int, group: str, index: int) -> list[Policy]:
    return []


def _group_from_spring(rng: random.Random, y: int, group: str, index: int) -> list[Policy]:
    return [(group, InsuranceKind.GROUP, date(y, rng.randint(3, 6), 1), date(y, 12, 31))]


def _group_until_autumn(rng: random.Random, y: int, group: str, index: int) -> list[Policy]:
    return [(group, InsuranceKind.GROUP, date(y, 1, 1), date(y, rng.randint(6, 9), 30))]


def _group_then_own(rng: random.Random, y: int, group: str, index: int) -> list[Policy]:
    middle = date(y, 6, 30)
    own = f"GSC-{y}-{index + 1:05d}"
    return [
        (group, InsuranceKind.GROUP, date(y, 1, 1), middle),
        (own, InsuranceKind.INDIVIDUAL, middle + timedelta(days=1), date(y, 12, 31)),
    ]


def _group_all_year(rng: random.Random, y: int, group: str, index: int) -> list[Policy]:
    return [(group, InsuranceKind.GROUP, date(y, 1, 1), date(y, 12, 31))]


# The roll's share for each kind of cover, in order: 2.5% never insured, 2% from spring,
# 2% until autumn, 2.5% the group's then their own, the rest the group's all year.
COVER_SHARES = (0.025, 0.045, 0.065, 0.09)
COVERS = (_never, _group_from_spring, _group_until_autumn, _group_then_own, _group_all_year)
