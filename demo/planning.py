"""The year's plan: which activities happen when, in which township, by which team, over
which hours, and each participant's shift within them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from demo.records import Plan
from demo.roster import Roster
from demo.vocabulary import TZ, theme_of
from domain.values import Interval

MINUTE = timedelta(minutes=1)


class Planning(Roster):
    """Draws the year's activities and their hours from the seeded random source."""

    def plan_year(self, activities: int) -> list[Plan]:
        rng = self.rng
        codes = list(self.ledger.rulebook.latest.categories)
        chosen = codes[:activities] + rng.choices(codes, k=max(0, activities - len(codes)))
        cancel = set(rng.sample(range(activities), min(activities // 3, max(2, activities // 100))))
        # Exam support is never cancelled: the exam happens whatever the weather.
        plans = [
            self._plan(code, cancelled=i in cancel and code != "exam_support")
            for i, code in enumerate(chosen)
        ]
        plans.sort(key=lambda p: p.day)
        return plans

    def _plan(self, code: str, *, cancelled: bool) -> Plan:
        """One activity: a month weighted by its theme, a township, and its team (the
        banner team for about one in seven)."""
        rng, theme = self.rng, theme_of(code)
        month = rng.choices(range(1, 13), theme.months)[0]
        first, last = theme.days
        day = date(self.year, month, rng.randint(first, last))
        town = rng.randrange(len(self.towns))
        team = 0 if rng.random() < 0.15 else town + 1
        return Plan(day, code, team, town, cancelled)

    def window(self, plan: Plan) -> Interval:
        """The activity's hours, by the shape of its theme (a half day when unknown)."""
        day = datetime(plan.day.year, plan.day.month, plan.day.day, tzinfo=TZ)
        by_shape = {"multi": self._days_window, "long": self._long_window, "day": self._day_window}
        return by_shape.get(theme_of(plan.code).shape, self._half_window)(plan, day)

    def _days_window(self, plan: Plan, day: datetime) -> Interval:
        """Several days, 07:00 to 19:00, never past the year's end (the exam takes three)."""
        days = 3 if plan.code == "exam_support" else self.rng.randint(2, 5)
        days = min(days, (date(plan.day.year, 12, 31) - plan.day).days + 1)
        return Interval(day + timedelta(hours=7), day + timedelta(days=days - 1, hours=19))

    def _long_window(self, plan: Plan, day: datetime) -> Interval:
        """An emergency: 6 to 11 hours from a start between 06:00 and 12:00."""
        start = day + timedelta(hours=self.rng.randint(6, 12))
        return Interval(start, start + timedelta(hours=self.rng.randint(6, 11)))

    def _day_window(self, plan: Plan, day: datetime) -> Interval:
        start = day + timedelta(hours=8, minutes=self.rng.choice((0, 30)))
        return Interval(start, start + timedelta(hours=self.rng.choice((7, 8, 8.5, 9))))

    def _half_window(self, plan: Plan, day: datetime) -> Interval:
        start = day + timedelta(hours=self.rng.choice((8.5, 9, 9.5, 14.5, 15)))
        return Interval(start, start + timedelta(hours=self.rng.choice((2, 2.5, 3, 3.5, 4))))

    def shift(self, window: Interval) -> Interval:
        """One participant's hours, inside the window: some arrive late or leave early."""
        if window.duration > timedelta(hours=14):  # a multi-day window
            return self._shift_on_one_day(window)
        rng = self.rng
        start = window.start + rng.choice((0, 0, 0, 5, 10, 20)) * MINUTE
        end = window.end - rng.choice((0, 0, 0, 0, 5, 15, 30)) * MINUTE
        if rng.random() < 0.12:
            end = self._left_early(start, end)
        return Interval(start, max(end, start + 30 * MINUTE))

    def _shift_on_one_day(self, window: Interval) -> Interval:
        """One shift on one of a multi-day window's days."""
        rng, days = self.rng, window.duration.days + 1
        day = window.start.replace(hour=0) + timedelta(days=rng.randrange(days))
        begin, hours = rng.choice(((8, 4), (8.5, 8), (13, 5), (14, 4.5)))
        start = day + timedelta(hours=begin)
        return Interval(start, start + timedelta(hours=hours) - rng.choice((0, 0, 10)) * MINUTE)

    def _left_early(self, start: datetime, end: datetime) -> datetime:
        """Left after 40-80% of the shift, the time rounded down to five minutes."""
        end = start + (end - start) * self.rng.uniform(0.4, 0.8)
        return end.replace(minute=end.minute - end.minute % 5, second=0, microsecond=0)
