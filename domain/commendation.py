"""A volunteer's standing service in one year: the figures commendation candidacy reads.

Kept as awards and reversals come (in log order), so the eligibility read, the annual
review's re-check at a decision's basis position and the demo all count the same way:

- ``hours``: credited hours of standing awards for service in the year;
- ``activities``: activities in which the year's standing awards credit hours;
- ``withdrawn``: activities whose award was reversed and not credited again. A correction
  (reverse, then award the corrected hours) and the daily cap's re-crediting in the order
  served (reverse, then award again) leave an award standing, so they withdraw nothing:
  candidacy does not depend on the order awards were verified in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from domain.awards import StandingAward
from domain.rulebook import CommendationRule

ZERO = Decimal(0)


@dataclass
class _Activity:
    standing: int = 0
    hours: Decimal = ZERO
    reversed: int = 0


@dataclass
class ServiceYear:
    hours: Decimal = ZERO
    activities: int = 0
    withdrawn: int = 0
    _by_activity: dict[Hashable, _Activity] = field(default_factory=dict)

    @classmethod
    def of(cls, awards: Iterable[StandingAward], year: int) -> ServiceYear:
        """The year's figures from the awards a volunteer holds (reversed ones included)."""
        found = cls()
        for a in awards:
            if a.service_date.year == year:
                found.award(a.activity_id, a.hours)
                if a.reversed:
                    found.reverse(a.activity_id, a.hours)
        return found

    def award(self, activity: Hashable, hours: Decimal) -> None:
        self._change(activity, 1, hours, 0)

    def reverse(self, activity: Hashable, hours: Decimal) -> None:
        self._change(activity, -1, -hours, 1)

    def _change(self, activity: Hashable, standing: int, hours: Decimal, reversed_: int) -> None:
        state = self._by_activity.setdefault(activity, _Activity())
        self.activities -= _counts(state)
        self.withdrawn -= _withdrawn(state)
        state.standing += standing
        state.hours += hours
        state.reversed += reversed_
        self.hours += hours
        self.activities += _counts(state)
        self.withdrawn += _withdrawn(state)

    def qualifies(self, rule: CommendationRule) -> bool:
        return rule.volunteer_qualifies(self.hours, self.activities, self.withdrawn)

    def figures(self) -> tuple[Decimal, int, int]:
        return self.hours, self.activities, self.withdrawn


def _counts(state: _Activity) -> int:
    return int(state.standing > 0 and state.hours > 0)


def _withdrawn(state: _Activity) -> int:
    return int(state.reversed > 0 and state.standing <= 0)
