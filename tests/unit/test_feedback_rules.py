"""Honest feedback (issue 14, item 4): each rating names its rater, its date and who
recorded it; one rating per rater per activity; only ratings given within the rulebook's
window after the activity ended count. One behaviour per test, given / when / then, on the
ServiceActivity aggregate (the fixture activity ends 1 June 2022, 12:00 +08:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from application.readmodel.values import rating_counts
from domain.activity import ServiceActivity
from domain.errors import DomainError, InvalidValue
from domain.values import BeneficiaryType, Rater
from infrastructure.rulebook_loader import load_rulebook
from tests.unit.ratings import terms

HOUSEHOLD = Rater(BeneficiaryType.MILITARY_FAMILY, "嘎鲁图镇-0031户")


ANONYMOUS = Rater(BeneficiaryType.PUBLIC, None, anonymous=True)


def test_a_rating_names_its_rater_date_recorder_and_window(activity, actor):
    # When a household rates the activity the day after
    activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))

    # Then the rating names them, the day, who recorded it and the 30-day window
    (event,) = activity.collect_events()
    assert (event.rater, event.given_on, event.actor, event.window_days) == (
        HOUSEHOLD,
        date(2022, 6, 2),
        actor,
        30,
    )


def test_a_rating_within_the_window_counts(activity, actor):
    # When a rating is given the day after the activity
    counted = activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))

    # Then it counts, and is recorded as counting
    (event,) = activity.collect_events()
    assert counted is True and event.counted is True


def test_a_second_rating_by_the_same_rater_is_refused(activity, actor, rejects):
    # Given a household's rating
    activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))

    # When the same household, typed with full-width digits and spaces, rates again
    same = Rater(BeneficiaryType.MILITARY_FAMILY, " 嘎鲁图镇-００３１户 ")
    with rejects(activity, "duplicate-rating") as refused:
        activity.record_feedback(5, "再评一次", actor, **terms(rater=same))

    # Then it is refused, saying so in Chinese
    assert "只能评价一次" in (refused.value.message_zh or "")


@pytest.mark.parametrize(
    "other",
    [
        Rater(BeneficiaryType.VETERAN, "嘎鲁图镇-0031户"),
        Rater(BeneficiaryType.MILITARY_FAMILY, "0032户"),
    ],
    ids=["same-reference-other-type", "other-household"],
)
def test_another_rater_may_rate_the_same_activity(activity, actor, other):
    # Given a household's rating
    activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))
    activity.collect_events()

    # When the same reference of another type, or another household, rates
    activity.record_feedback(4, "", actor, **terms(rater=other))

    # Then that rating is recorded too
    assert len(activity.collect_events()) == 1


def test_anonymous_ratings_are_allowed_more_than_once_and_marked(activity, actor):
    # When two anonymous ratings are given
    activity.record_feedback(5, "", actor, **terms(rater=ANONYMOUS))
    activity.record_feedback(3, "", actor, **terms(rater=ANONYMOUS))

    # Then both are recorded, marked anonymous
    assert [e.rater.anonymous for e in activity.collect_events()] == [True, True]


def test_a_rating_on_the_30th_day_after_the_activity_counts(activity, actor):
    # When a rating is given on 1 July, the 30th day after the activity ended
    counted = activity.record_feedback(
        5, "", actor, **terms(rater=HOUSEHOLD, given_on=date(2022, 7, 1))
    )

    # Then it counts
    assert counted is True


@pytest.mark.parametrize(
    ("given_on", "today"),
    [(date(2022, 7, 2), date(2022, 12, 31)), (date(2026, 3, 1), date(2026, 3, 1))],
    ids=["a-day-late", "years-late"],
)
def test_a_rating_after_the_window_is_kept_but_does_not_count(activity, actor, given_on, today):
    # When a rating is given after the 30-day window
    counted = activity.record_feedback(
        5, "", actor, **terms(rater=HOUSEHOLD, given_on=given_on, today=today)
    )

    # Then it is recorded, flagged as not counting
    assert counted is False
    assert [e.counted for e in activity.collect_events()] == [False]


def test_the_window_is_the_rulebooks(activity, actor):
    # When the rulebook's window is 7 days and the rating comes on the 8th day
    counted = activity.record_feedback(
        5, "", actor, **terms(given_on=date(2022, 6, 9), window_days=7)
    )

    # Then it does not count
    assert counted is False


def test_a_rating_dated_in_the_future_is_a_bad_request(activity, actor):
    # When a rating is dated after today
    with pytest.raises(InvalidValue) as refused:
        activity.record_feedback(5, "", actor, **terms(given_on=date(2023, 1, 1)))

    # Then the date is refused as a bad value and nothing is recorded
    assert (refused.value.field, refused.value.rule) == ("given_on", "feedback-date-future")
    assert activity.collect_events() == []


def test_a_rating_before_the_activity_started_is_refused(activity, actor):
    # When a rating is dated the day before the activity
    with pytest.raises(DomainError) as refused:
        activity.record_feedback(5, "", actor, **terms(given_on=date(2022, 5, 31)))

    # Then it is refused and nothing is recorded
    assert refused.value.rule == "feedback-before-activity"
    assert activity.collect_events() == []


def test_a_named_rater_needs_a_reference():
    # When a rater of a type names no reference
    with pytest.raises(InvalidValue) as refused:
        Rater(BeneficiaryType.VETERAN, "")

    # Then the reference is refused
    assert refused.value.field == "rater.reference"


def test_an_anonymous_rater_has_no_reference():
    # When an anonymous rater names a reference, then it is refused
    with pytest.raises(InvalidValue) as refused:
        Rater(BeneficiaryType.VETERAN, "0031户", anonymous=True)
    assert refused.value.field == "rater.reference"


def test_a_version_1_rating_upcasts_with_no_rater_date_or_verdict():
    # Given a stored version 1 rating
    state = {"satisfaction": 5, "comment": "", "actor": None}

    # When it is upcast
    ServiceActivity.FeedbackRecorded.upcast_v1_v2(state)

    # Then it names no rater, date, verdict or window
    assert state == {
        "satisfaction": 5,
        "comment": "",
        "actor": None,
        "rater": None,
        "given_on": None,
        "counted": None,
        "window_days": None,
    }


ENDED = "2022-06-01T04:00:00+00:00"  # 12:00 in Shanghai; the window's last day is 1 July


def _v1_rating_recorded_at(moment: datetime) -> bool:
    return rating_counts(
        load_rulebook(), SimpleNamespace(counted=None, timestamp=moment), "2022-06-01", ENDED
    )


@pytest.mark.parametrize(
    ("recorded", "counts"),
    [
        (datetime(2022, 7, 1, 15, 59, tzinfo=UTC), True),  # 23:59 on 1 July in Shanghai
        (datetime(2022, 7, 1, 16, 0, tzinfo=UTC), False),  # 00:00 on 2 July
        (datetime(2026, 3, 1, tzinfo=UTC), False),  # the years-late batch
    ],
    ids=["last-minute", "first-minute-after", "years-late"],
)
def test_a_version_1_rating_counts_only_if_recorded_within_the_window(recorded, counts):
    """Stored ratings from before raters were named carry no date: one counts only if it
    was recorded by the window's last day (it cannot have been given after it was recorded)."""
    # When a version 1 rating recorded at that moment is judged, then it counts or not
    assert _v1_rating_recorded_at(recorded) is counts


def test_a_version_2_rating_says_for_itself_whether_it_counts():
    # When a version 2 rating recorded as not counting is judged, then it does not count
    assert (
        rating_counts(load_rulebook(), SimpleNamespace(counted=False), "2022-06-01", ENDED) is False
    )
