"""Honest feedback (issue 14, item 4): each rating names its rater, its date and who
recorded it; one rating per rater per activity; only ratings given within the rulebook's
window after the activity ended count. Given/when/then on the ServiceActivity aggregate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from application.readmodel.base import rating_counts
from domain.activity import ServiceActivity
from domain.errors import DomainError, InvalidValue
from domain.values import BeneficiaryType, Rater
from infrastructure.rulebook_loader import load_rulebook
from tests.unit.ratings import terms

HOUSEHOLD = Rater(BeneficiaryType.MILITARY_FAMILY, "嘎鲁图镇-0031户")


def test_a_rating_names_rater_date_recorder_and_whether_it_counts(activity, actor):
    counted = activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))
    (event,) = activity.collect_events()
    assert counted is True
    assert (event.rater, event.given_on, event.actor, event.counted, event.window_days) == (
        HOUSEHOLD,
        date(2022, 6, 2),
        actor,
        True,
        30,
    )


def test_a_second_rating_by_the_same_rater_is_refused(activity, actor):
    activity.record_feedback(5, "好", actor, **terms(rater=HOUSEHOLD))
    activity.collect_events()
    # the same household typed with full-width digits and spaces is the same rater
    same = Rater(BeneficiaryType.MILITARY_FAMILY, " 嘎鲁图镇-００３１户 ")
    with pytest.raises(DomainError) as refused:
        activity.record_feedback(5, "再评一次", actor, **terms(rater=same))
    assert refused.value.rule == "duplicate-rating"
    assert "只能评价一次" in (refused.value.message_zh or "")
    assert activity.collect_events() == []
    # another household, or the same reference of another type, is another rater
    activity.record_feedback(
        4, "", actor, **terms(rater=Rater(BeneficiaryType.VETERAN, "嘎鲁图镇-0031户"))
    )
    activity.record_feedback(
        4, "", actor, **terms(rater=Rater(BeneficiaryType.MILITARY_FAMILY, "0032户"))
    )
    assert len(activity.collect_events()) == 2


def test_anonymous_ratings_are_allowed_and_marked(activity, actor):
    anonymous = Rater(BeneficiaryType.PUBLIC, None, anonymous=True)
    activity.record_feedback(5, "", actor, **terms(rater=anonymous))
    activity.record_feedback(3, "", actor, **terms(rater=anonymous))
    events = activity.collect_events()
    assert [e.rater.anonymous for e in events] == [True, True]


def test_the_window_runs_30_days_after_the_activity_ended(activity, actor):
    # the fixture activity ends 1 June 2022 (12:00 +08:00): the 30th day after is 1 July
    last = activity.record_feedback(
        5, "", actor, **terms(rater=HOUSEHOLD, given_on=date(2022, 7, 1))
    )
    late = activity.record_feedback(
        5, "", actor, **terms(rater=Rater(BeneficiaryType.VETERAN, "1"), given_on=date(2022, 7, 2))
    )
    years_later = activity.record_feedback(
        5,
        "",
        actor,
        **terms(
            rater=Rater(BeneficiaryType.VETERAN, "2"),
            given_on=date(2026, 3, 1),
            today=date(2026, 3, 1),
        ),
    )
    assert (last, late, years_later) == (True, False, False)
    # kept, and flagged
    assert [e.counted for e in activity.collect_events()] == [True, False, False]


def test_the_window_is_the_rulebooks(activity, actor):
    assert (
        activity.record_feedback(5, "", actor, **terms(given_on=date(2022, 6, 9), window_days=7))
        is False
    )


def test_a_rating_dated_in_the_future_is_a_bad_request(activity, actor):
    with pytest.raises(InvalidValue) as refused:
        activity.record_feedback(5, "", actor, **terms(given_on=date(2023, 1, 1)))
    assert (refused.value.field, refused.value.rule) == ("given_on", "feedback-date-future")
    assert activity.collect_events() == []


def test_a_rating_before_the_activity_started_is_refused(activity, actor):
    with pytest.raises(DomainError) as refused:
        activity.record_feedback(5, "", actor, **terms(given_on=date(2022, 5, 31)))
    assert refused.value.rule == "feedback-before-activity"
    assert activity.collect_events() == []


def test_a_named_rater_needs_a_reference():
    with pytest.raises(InvalidValue) as refused:
        Rater(BeneficiaryType.VETERAN, "")
    assert refused.value.field == "rater.reference"
    with pytest.raises(InvalidValue):
        Rater(BeneficiaryType.VETERAN, "0031户", anonymous=True)


def test_a_version_1_rating_upcasts_with_no_rater_date_or_verdict():
    state = {"satisfaction": 5, "comment": "", "actor": None}
    ServiceActivity.FeedbackRecorded.upcast_v1_v2(state)
    assert state == {
        "satisfaction": 5,
        "comment": "",
        "actor": None,
        "rater": None,
        "given_on": None,
        "counted": None,
        "window_days": None,
    }


def test_a_version_1_rating_counts_only_if_recorded_within_the_window():
    """Stored ratings from before raters were named carry no date: one counts only if it
    was recorded by the window's last day (it cannot have been given after it was recorded)."""
    rulebook = load_rulebook()
    ended = "2022-06-01T04:00:00+00:00"  # 12:00 in Shanghai; the window's last day is 1 July

    def recorded(moment: datetime) -> bool:
        return rating_counts(
            rulebook, SimpleNamespace(counted=None, timestamp=moment), "2022-06-01", ended
        )

    assert recorded(datetime(2022, 7, 1, 15, 59, tzinfo=UTC))  # 23:59 on 1 July in Shanghai
    assert not recorded(datetime(2022, 7, 1, 16, 0, tzinfo=UTC))  # 00:00 on 2 July
    assert not recorded(datetime(2026, 3, 1, tzinfo=UTC))  # the years-late batch
    # a version 2 rating says for itself
    assert rating_counts(rulebook, SimpleNamespace(counted=False), "2022-06-01", ended) is False
