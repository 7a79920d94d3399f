"""The year's plan: which activities happen when, in which township, by which team, over
which hours, and each participant's shift within them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from demo.records import Plan
from demo.roster import Roster
from demo.vocabulary import TZ, theme_of
from domain.values import Interval


class Planning(Roster):
    """Draws the year's activities and their hours from the seeded random source."""

    def plan_year(self, activities: int) -> list[Plan]:
        rng, y = self.rng, self.year
        codes = list(self.ledger.rulebook.latest.categories)
        chosen = codes[:activities] + rng.choices(codes, k=max(0, activities - len(codes)))
        cancel = set(rng.sample(range(activities), min(activities // 3, max(2, activities // 100))))
        plans = []
        for i, code in enumerate(chosen):
            theme = theme_of(code)
            month = rng.choices(range(1, 13), theme.months)[0]
            first, last = theme.days
            day = date(y, month, rng.randint(first, last))
            town = rng.randrange(len(self.towns))
            team = 0 if rng.random() < 0.15 else town + 1
            plans.append(Plan(day, code, team, town, i in cancel and code != "exam_support"))
        plans.sort(key=lambda p: p.day)
        return plans

    def window(self, plan: Plan) -> Interval:
        rng, shape = self.rng, theme_of(plan.code).shape
        day = datetime(plan.day.year, plan.day.month, plan.day.day, tzinfo=TZ)
        if shape == "multi":
            days = 3 if plan.code == "exam_support" else rng.randint(2, 5)
            days = min(days, (date(plan.day.year, 12, 31) - plan.day).days + 1)
            return Interval(day + timedelta(hours=7), day + timedelta(days=days - 1, hours=19))
        if shape == "long":
            start = day + timedelta(hours=rng.randint(6, 12))
            return Interval(start, start + timedelta(hours=rng.randint(6, 11)))
        if shape == "day":
            start = day + timedelta(hours=8, minutes=rng.choice((0, 30)))
            return Interval(start, start + timedelta(hours=rng.choice((7, 8, 8.5, 9))))
        start = day + timedelta(hours=rng.choice((8.5, 9, 9.5, 14.5, 15)))
        return Interval(start, start + timedelta(hours=rng.choice((2, 2.5, 3, 3.5, 4))))

    def shift(self, window: Interval) -> Interval:
        """One participant's hours, inside the window: some arrive late or leave early."""
        rng, minutes = self.rng, timedelta(minutes=1)
        if window.duration > timedelta(hours=14):  # a multi-day window: one shift on one day
            days = window.duration.days + 1
            day = window.start.replace(hour=0) + timedelta(days=rng.randrange(days))
            begin, hours = rng.choice(((8, 4), (8.5, 8), (13, 5), (14, 4.5)))
            start = day + timedelta(hours=begin)
            return Interval(
                start, start + timedelta(hours=hours) - rng.choice((0, 0, 10)) * minutes
            )
        start = window.start + rng.choice((0, 0, 0, 5, 10, 20)) * minutes
        end = window.end - rng.choice((0, 0, 0, 0, 5, 15, 30)) * minutes
        if rng.random() < 0.12:
            end = start + (end - start) * rng.uniform(0.4, 0.8)
            end = end.replace(minute=end.minute - end.minute % 5, second=0, microsecond=0)
        return Interval(start, max(end, start + 30 * minutes))
