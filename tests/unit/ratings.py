"""The terms a rating is recorded under in the domain tests: a named rater, the day after
the fixture activity (1 June 2022), the default 30-day window at +08:00."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.values import BeneficiaryType, Rater

ACTIVITY_DAY = date(2022, 6, 1)


def terms(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "rater": Rater(BeneficiaryType.VETERAN, "巴彦镇-0001户"),
        "given_on": ACTIVITY_DAY + timedelta(days=1),
        "today": date(2022, 12, 31),
        "window_days": 30,
        "utc_offset": timedelta(hours=8),
    }
    return {**base, **overrides}
