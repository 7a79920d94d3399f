"""What an activity achieved, as its station records it before completion: the people
served by type, their ratings, and now and then a report in the media."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from application.commands.activities import RecordBeneficiaries, RecordFeedback, RecordMedia
from demo.planning import Planning
from demo.vocabulary import COMMENTS, MEDIA_WEIGHTS, OUTLETS
from domain.values import Actor, BeneficiaryType, Interval, MediaLevel, Rater

# How many of a type are served: (fewest, most); the public come in larger numbers.
SERVED = {BeneficiaryType.PUBLIC: (3, 40)}
SERVED_OTHERS = (1, 12)


class Outcomes(Planning):
    """Records each served activity's outcomes (``Service`` plays the activity)."""

    def outcomes(
        self,
        activity: UUID,
        window: Interval,
        kinds: list[BeneficiaryType],
        staff: Actor,
    ) -> None:
        """The people served, one to three ratings, and a one-in-three chance of media."""
        counts = {kind: self._served_count(kind) for kind in kinds}
        self.ledger.record_beneficiaries(
            RecordBeneficiaries(activity_id=activity, counts=counts), actor=self.actor(staff)
        )
        self._ratings(activity, window, kinds, staff)
        if self.rng.random() < 0.35:
            self._reported(activity, window, staff)

    def _served_count(self, kind: BeneficiaryType) -> int:
        low, high = SERVED.get(kind, SERVED_OTHERS)
        return self.rng.randint(low, high)

    def _ratings(
        self, activity: UUID, window: Interval, kinds: list[BeneficiaryType], staff: Actor
    ) -> None:
        """One to three ratings, from the day the activity ended."""
        ended = window.local_end_date(self.ledger.rulebook.latest.utc_offset)
        for n in range(self.rng.randint(1, 3)):
            self._rated(activity, ended, kinds, n, staff)

    def _rated(
        self, activity: UUID, ended: date, kinds: list[BeneficiaryType], n: int, staff: Actor
    ) -> None:
        """The activity's ``n``-th rating. Each names its rater (one of the people served,
        by type and household) and is given within days of the activity, as the office
        collects them. Every theme serves at least one type (vocabulary.THEME_TABLE's rows
        and the generic theme)."""
        score = self.rng.choices((5, 4, 3), (55, 35, 10))[0]
        self.ledger.record_feedback(
            RecordFeedback(
                activity_id=activity,
                satisfaction=score,
                comment=self.rng.choice(COMMENTS[score]),
                rater=Rater(kinds[n % len(kinds)], f"{str(activity)[:8]}-{n + 1:02d}户"),
                given_on=ended + timedelta(days=n),
            ),
            actor=self.actor(staff),
        )

    def _reported(self, activity: UUID, window: Interval, staff: Actor) -> None:
        """A report by an outlet of a level drawn by weight, within three days of the start."""
        rng = self.rng
        level = rng.choices(list(MediaLevel), MEDIA_WEIGHTS)[0]
        published = window.start.date() + timedelta(days=rng.randint(0, 3))
        self.ledger.record_media(
            RecordMedia(
                activity_id=activity,
                outlet=rng.choice(OUTLETS[level]),
                level=level,
                url=f"https://media.example.cn/{level.value}/{published:%Y%m%d}/{self.requests}",
                published_on=published,
            ),
            actor=self.actor(staff),
        )
