"""The rulebook model: versioned data with effective dates. Numbers live in the file, formulas in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.errors import rule_violation
from domain.values import Category, MediaLevel


class MissingInsurance(Enum):
    """What to do with a participation that no policy covers."""

    REJECT = "reject"
    FLAG = "flag"


@dataclass(frozen=True)
class RoundingStep:
    """A leftover fraction of an hour up to ``up_to_minutes`` counts as ``hours``."""

    up_to_minutes: int
    hours: Decimal


@dataclass(frozen=True)
class CategoryRule:
    code: str
    label_zh: str
    label_en: str
    multiplier: Decimal
    insurance_required: bool
    on_missing_insurance: MissingInsurance


@dataclass(frozen=True)
class CourtesyBenefit:
    """A courtesy benefit (礼遇) a tier offers: ``points`` it costs, 0 when the tier grants it free."""

    code: str
    name_zh: str
    points: Decimal
    tier: str


@dataclass(frozen=True)
class CourtesyTier:
    name: str
    min_points: Decimal
    benefits: tuple[CourtesyBenefit, ...] = ()


@dataclass(frozen=True)
class KeySupportRule:
    min_activities: int
    min_mean_satisfaction: Decimal
    top_n: int


class TeamCommendationBasis(Enum):
    """What makes a team a commendation candidate for a year (the one choice today: the
    key-support criteria of that year)."""

    KEY_SUPPORT = "key_support"


@dataclass(frozen=True)
class CommendationRule:
    """Commendation candidacy for a year (表彰候选). A volunteer: at least
    ``volunteer_min_hours`` credited hours and ``volunteer_min_activities`` verified
    activities with credited hours in the year and, when ``volunteer_no_reversal``, no
    award of theirs for service in the year reversed (withdrawn, not credited again). A
    team: the criteria named by ``team_basis``. One commendation per volunteer or team per
    period is the domain's own invariant, not a setting."""

    volunteer_min_hours: Decimal
    volunteer_min_activities: int
    volunteer_no_reversal: bool
    team_basis: TeamCommendationBasis

    def volunteer_qualifies(self, hours: Decimal, activities: int, withdrawn: int) -> bool:
        return (
            hours >= self.volunteer_min_hours
            and activities >= self.volunteer_min_activities
            and not (self.volunteer_no_reversal and withdrawn)
        )

    def team_qualifies(self, key_support_eligible: bool) -> bool:
        return self.team_basis is TeamCommendationBasis.KEY_SUPPORT and key_support_eligible


# DESIGN's defaults (the shipped rulebook states them; a version naming none takes these).
DEFAULT_COMMENDATION = CommendationRule(
    volunteer_min_hours=Decimal(100),
    volunteer_min_activities=6,
    volunteer_no_reversal=True,
    team_basis=TeamCommendationBasis.KEY_SUPPORT,
)


@dataclass(frozen=True)
class RankingWeights:
    activities: Decimal
    volunteer_hours: Decimal
    distinct_volunteers: Decimal
    mean_satisfaction: Decimal
    media_points: Decimal
    media_level_points: Mapping[MediaLevel, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class RulebookVersion:
    """One version of the rules, in force from ``effective_from`` until the next version."""

    version: str
    effective_from: date
    utc_offset: timedelta
    window_tolerance_minutes: int
    rounding: tuple[RoundingStep, ...]
    daily_cap_hours: Decimal
    points_per_hour: Decimal
    backfill_earns_points: bool
    training_points_per_hour: Decimal
    categories: Mapping[str, CategoryRule]
    star_thresholds_hours: tuple[Decimal, ...]
    courtesy_tiers: tuple[CourtesyTier, ...]
    key_support: KeySupportRule
    ranking: RankingWeights
    # A rating counts only if given within this many days after its activity ended.
    feedback_window_days: int = 30
    commendation: CommendationRule = DEFAULT_COMMENDATION

    def category(self, category: Category) -> CategoryRule:
        try:
            return self.categories[category.code]
        except KeyError:
            known = ", ".join(sorted(self.categories))
            raise rule_violation(
                "unknown-category",
                f"category {category.code!r} is not in rulebook {self.version} (known: {known})",
                f"服务类别 {category.code!r} 不在规则版本 {self.version} 中（已有：{known}）",
            ) from None

    @property
    def hours_step(self) -> Decimal:
        """The finest hours the rules credit: service is rounded to the rounding steps
        (0.5 h by default), so hours entered as a figure (training) must lie on that step
        too — 1e-10 h would otherwise become a balance such as 126.5000000001."""
        return min((s.hours for s in self.rounding if s.hours > 0), default=Decimal(1))

    def star_level(self, credited_hours: Decimal) -> int:
        """How many star thresholds the cumulative credited hours have reached (0–5)."""
        return sum(1 for threshold in self.star_thresholds_hours if credited_hours >= threshold)

    def courtesy_tier(self, lifetime_points: Decimal) -> str | None:
        reached = [t for t in self.courtesy_tiers if lifetime_points >= t.min_points]
        return max(reached, key=lambda t: t.min_points).name if reached else None

    def benefits_for(self, tier: str | None) -> dict[str, CourtesyBenefit]:
        """The benefits a tier includes, by code: its own and those of every lower tier, a
        higher tier's terms for a code replacing a lower one's (gold may grant free what
        silver pays for). No tier: none."""
        reached = next((t for t in self.courtesy_tiers if t.name == tier), None)
        if reached is None:
            return {}
        return {
            b.code: b
            for t in self._tiers_upward()
            if t.min_points <= reached.min_points
            for b in t.benefits
        }

    def benefit(self, code: str) -> CourtesyBenefit:
        """The benefit ``code`` names in any tier (the lowest tier offering it); refused
        (``unknown-benefit``, decided by the rulebook alone) when no tier lists it."""
        found = next((b for t in self._tiers_upward() for b in t.benefits if b.code == code), None)
        if found is not None:
            return found
        known = ", ".join(sorted({b.code for t in self.courtesy_tiers for b in t.benefits}))
        raise rule_violation(
            "unknown-benefit",
            f"benefit {code!r} is not in rulebook {self.version} (known: {known})",
            f"礼遇代码 {code!r} 不在规则版本 {self.version} 中（已有：{known}）",
        )

    def _tiers_upward(self) -> list[CourtesyTier]:
        return sorted(self.courtesy_tiers, key=lambda t: t.min_points)


@dataclass(frozen=True)
class Rulebook:
    """All versions of the rules from one file, and the file's hash."""

    versions: tuple[RulebookVersion, ...]
    file_hash: str

    def __post_init__(self) -> None:
        if not self.versions:
            raise rule_violation("rulebook-empty", "the rulebook has no versions")

    def in_force_on(self, day: date) -> RulebookVersion:
        """The version whose effective date is the latest on or before ``day``."""
        candidates = [v for v in self.versions if v.effective_from <= day]
        if not candidates:
            first = min(v.effective_from for v in self.versions)
            raise rule_violation(
                "rulebook-not-in-force",
                f"no rulebook version is in force on {day} (the first starts {first})",
            )
        return max(candidates, key=lambda v: v.effective_from)

    def category_zh(self, code: str | None) -> str | None:
        """A category's Chinese label, from the newest version that names it (None: none does)."""
        for candidate in sorted(self.versions, key=lambda v: v.effective_from, reverse=True):
            rule = candidate.categories.get(code or "")
            if rule is not None:
                return rule.label_zh
        return None

    def version(self, name: str) -> RulebookVersion:
        for candidate in self.versions:
            if candidate.version == name:
                return candidate
        raise rule_violation("rulebook-version", f"rulebook version {name!r} is unknown")

    def for_year(self, year: int) -> RulebookVersion:
        """The version in force when ``year`` starts (the earliest, for years before it):
        the rules a year's rankings, key support and commendation candidacy are read by."""
        first = min(self.versions, key=lambda v: v.effective_from)
        start = date(year, 1, 1)
        return self.in_force_on(start) if start >= first.effective_from else first

    @property
    def latest(self) -> RulebookVersion:
        return max(self.versions, key=lambda v: v.effective_from)
