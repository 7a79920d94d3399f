"""What the demo year has recorded so far, as its summary reports it, and the sample of
awards the year-end review draws from."""

from __future__ import annotations

import random
from decimal import Decimal

from application.ledger import VolunteerLedger
from demo.records import Candidate, Counts, Person
from domain.volunteer import Volunteer


class Tally:
    """Counts kept from the volunteers' ledgers as the year is played (``Roster`` holds
    the state)."""

    ledger: VolunteerLedger
    rng: random.Random
    n: Counts
    candidates: list[Candidate]
    seen_awards: int

    def held(self, person: Person) -> Volunteer:
        """What the person's ledger holds now (to look at only)."""
        return self.ledger.load(Volunteer, person.id, read_only=True)

    def settle(self, person: Person, held: Volunteer) -> None:
        """Count what the volunteer's ledger gained since last settled: awards, reversals and
        standing points (an earlier shift verified after a later one the same day credits
        the later one again, the day's cap applied in the order served)."""
        awards, reversed_, standing = standing_of(held)
        self.n.awards += awards - person.awards
        self.n.reversals += reversed_ - person.reversed
        self.n.points += standing - person.standing
        person.awards, person.reversed, person.standing = awards, reversed_, standing
        person.hours, person.balance = held.credited_hours, held.balance

    def still_standing(self, candidate: Candidate) -> bool:
        return not self.held(candidate.person).awards[candidate.award.entry_id].reversed

    def sample(self, candidate: Candidate) -> None:
        """Keep a small uniform sample of awards (reservoir) for year-end corrections: of
        every award seen, those of two hours or more are eligible."""
        self.seen_awards += 1
        if candidate.award.hours >= 2:
            self._keep_in_reservoir(candidate)

    def _keep_in_reservoir(self, candidate: Candidate) -> None:
        """The first twelve kept; after that, each replaces one of the twelve with the
        chance twelve in the awards seen."""
        if len(self.candidates) < 12:
            self.candidates.append(candidate)
            return
        slot = self.rng.randrange(self.seen_awards)
        if slot < 12:
            self.candidates[slot] = candidate


def standing_of(held: Volunteer) -> tuple[int, int, Decimal]:
    """A ledger's award entries (re-awards included), how many are reversed, and the
    points of those not reversed."""
    awards = held.awards.values()
    reversed_ = sum(a.reversed for a in awards)
    return len(awards), reversed_, sum((a.points for a in awards if not a.reversed), Decimal(0))
