"""Who a new volunteer is, drawn from the year's seeded random source: born when, named
what, and insured for which part of the year."""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.vocabulary import HAN_FEMALE, HAN_MALE, MONGOL_FEMALE, MONGOL_MALE, SURNAMES
from domain.values import InsuranceKind, PersonType


def birth_of(rng: random.Random, kind: PersonType) -> date:
    """Demobilised veterans were born 1940-1956, everyone else 1948-1995."""
    first = 1940 if kind is PersonType.DEMOBILIZED_VETERAN else 1948
    last = 1956 if kind is PersonType.DEMOBILIZED_VETERAN else 1995
    return date(rng.randint(first, last), 1, 1) + timedelta(days=rng.randrange(365))


def name_of(rng: random.Random, male: bool) -> str:
    """A Mongolian name for two in five, else a Han surname and given name."""
    if rng.random() < 0.4:
        return rng.choice(MONGOL_MALE if male else MONGOL_FEMALE)
    return rng.choice(SURNAMES) + rng.choice(HAN_MALE if male else HAN_FEMALE)


def cover_periods(
    rng: random.Random, y: int, township: int, index: int
) -> list[tuple[str, InsuranceKind, date, date]]:
    """A person's policies this year: none for a few, part of the year for a few, the
    township's group policy then their own for some, the whole year for the rest."""
    roll = rng.random()
    jan1, dec31 = date(y, 1, 1), date(y, 12, 31)
    group = f"PICC-{y}-TT{township + 1:02d}-GRP"
    if roll < 0.025:
        return []  # never insured this year
    if roll < 0.045:
        return [(group, InsuranceKind.GROUP, date(y, rng.randint(3, 6), 1), dec31)]
    if roll < 0.065:
        return [(group, InsuranceKind.GROUP, jan1, date(y, rng.randint(6, 9), 30))]
    if roll < 0.09:
        middle = date(y, 6, 30)
        own = f"GSC-{y}-{index + 1:05d}"
        return [
            (group, InsuranceKind.GROUP, jan1, middle),
            (own, InsuranceKind.INDIVIDUAL, middle + timedelta(days=1), dec31),
        ]
    return [(group, InsuranceKind.GROUP, jan1, dec31)]
