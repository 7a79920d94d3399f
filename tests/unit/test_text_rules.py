"""The text rules (issue 13, findings 1 and 10) in the domain: every aggregate command
refuses NUL, control characters, bidi overrides, lone surrogates and over-long text,
naming the field, whatever calls it (HTTP, the command line, the demo, a use case)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activity import ServiceActivity
from domain.errors import DomainError, InvalidValue
from domain.ranking import Period
from domain.rulebook import RulebookVersion
from domain.team import VolunteerTeam
from domain.values import (
    Actor,
    HoursSource,
    InsuranceKind,
    InsurancePolicy,
    Interval,
    MediaLevel,
    MemberRole,
    PersonType,
    TeamLevel,
    check_text,
)
from domain.volunteer import Volunteer
from tests.hostile_text import hostile_text, refused, refused_characters
from tests.unit.ratings import terms

# ----------------------------------------------------------------- the rule itself


@pytest.mark.parametrize(
    "text",
    [
        "王\x00",
        "\x1b[31m王建国\x1b[0m",
        "王\x07",
        "王\x7f",
        "王\x85",
        "王\r",
        "王\n建国",
        "王\u2028",
        "\u202e国建王",
        "王\u2066建国\u2069",
        "王\ud800",
        "王\t建国",
    ],
)
def test_one_line_text_refuses_controls_bidi_overrides_and_surrogates_naming_the_field(
    text: str,
) -> None:
    # When one-line text holds a control character, a bidi override or a lone surrogate
    with pytest.raises(InvalidValue) as refused_:
        check_text("name", text)

    # Then it is refused as a bad value of that field, naming the code point
    assert refused_.value.field == "name"
    assert refused_.value.rule == "text-characters"
    assert str(refused_.value).startswith("name contains U+")


def test_multiline_text_keeps_line_breaks_and_tabs() -> None:
    # When multi-line text holds CRLF, LF and a tab, then it is taken as it is
    comment = "讲得很清楚\r\n谢谢！\n\t——王"
    assert check_text("comment", comment, multiline=True) == comment


@pytest.mark.parametrize("bad", ["a\rb", "a\x00b", "a\u202eb", "a\x1b[2J"])
def test_multiline_text_refuses_a_lone_cr_and_other_controls(bad: str) -> None:
    # When multi-line text holds a lone CR, NUL, a bidi override or ESC, then it is refused
    with pytest.raises(InvalidValue, match="comment contains U\\+"):
        check_text("comment", bad, multiline=True)


def test_one_line_text_of_500_characters_is_taken() -> None:
    # When a name is 500 characters long, then it is taken
    assert check_text("name", "长" * 500) == "长" * 500


def test_longer_text_is_refused_saying_by_how_much() -> None:
    # When a name is 501 characters long, then it is refused, giving both lengths
    with pytest.raises(InvalidValue, match="name has 501 characters; at most 500"):
        check_text("name", "长" * 501)


def test_a_volunteer_with_fifty_one_skills_is_refused_naming_the_list(
    actor: Actor, national_id: Callable[[int], str]
) -> None:
    # When a volunteer registers with 51 skills, then the list is refused by its name
    with pytest.raises(InvalidValue, match="skills has 51 items; at most 50") as refused_:
        Volunteer.register(
            name="王建国",
            national_id=national_id(1),
            phone="",
            person_type=PersonType.VETERAN,
            township="巴彦镇",
            skills=["急救"] * 51,
            actor=actor,
        )
    assert refused_.value.field == "skills"


@given(hostile_text())
def test_check_text_agrees_with_the_rules_as_stated(text: str) -> None:
    for multiline in (False, True):
        bad = refused(text, multiline=multiline, required=True, max_length=500)
        try:
            assert check_text("f", text, multiline=multiline, max_length=500) == text
            assert not bad
        except InvalidValue as e:
            assert bad, e
            assert e.field == "f"


# ----------------------------------------------------------------- every command


@dataclass(frozen=True)
class Field:
    command: str
    name: str
    call: Callable[[str, Ctx], Any]
    multiline: bool = False
    required: bool = True
    max_length: int = 500


@dataclass(frozen=True)
class Ctx:
    actor: Actor
    rules: RulebookVersion
    volunteer: Callable[[], Volunteer]
    activity: Callable[[], ServiceActivity]


def _register(ctx: Ctx, **changes: str | list[str]) -> Volunteer:
    given: dict[str, Any] = dict(
        name="王建国",
        national_id="15010219800101009X",
        phone="13800000000",
        person_type=PersonType.VETERAN,
        township="巴彦镇",
        skills=["急救"],
    )
    given.update(changes)
    return Volunteer.register(**given, actor=ctx.actor)


def _team(ctx: Ctx, **changes: str) -> VolunteerTeam:
    given = dict(name="巴彦镇志愿服务队", township="巴彦镇", station="巴彦镇退役军人服务站")
    given.update(changes)
    return VolunteerTeam.form(**given, level=TeamLevel.BANNER, actor=ctx.actor)


def _plan(ctx: Ctx, **changes: str) -> ServiceActivity:
    activity = ctx.activity()
    given = dict(title="健康知识进社区", township="巴彦镇", station="站", location="广场")
    given.update(changes)
    return ServiceActivity.plan(
        **given,
        category=activity.category,
        team_id=UUID(int=1),
        window=activity.window,
        beneficiary_types=[],
        capacity=2,
        actor=ctx.actor,
    )


def _policy(number: str = "P-1", insurer: str = "中国人保") -> InsurancePolicy:
    return InsurancePolicy(
        number, insurer, InsuranceKind.GROUP, date(2022, 1, 1), date(2022, 12, 31), Decimal(1)
    )


def _trained(ctx: Ctx) -> Volunteer:
    volunteer = ctx.volunteer()
    volunteer.complete_training(
        course="急救",
        hours=Decimal(4),
        completed_on=date(2022, 3, 1),
        rules=ctx.rules,
        rulebook_hash="h",
        actor=ctx.actor,
    )
    return volunteer


def _awarded(ctx: Ctx) -> tuple[Volunteer, UUID]:
    volunteer, activity = ctx.volunteer(), ctx.activity()
    entry = volunteer.award_points(
        activity_id=activity.id,
        category=activity.category,
        interval=activity.window,
        source=HoursSource.CHECKIN,
        attendance_version=1,
        rules=ctx.rules,
        rulebook_hash="h",
        actor=ctx.actor,
    )
    return volunteer, entry


def _commended(ctx: Ctx) -> tuple[Volunteer, UUID]:
    volunteer = ctx.volunteer()
    cid = volunteer.grant_commendation(
        title="优秀志愿者", period="2022", basis_position=1, reason="", actor=ctx.actor
    )
    return volunteer, cid


def _suspended(ctx: Ctx) -> Volunteer:
    volunteer = ctx.volunteer()
    volunteer.suspend(reason="暂停", actor=ctx.actor)
    return volunteer


def _with_member(ctx: Ctx) -> VolunteerTeam:
    team = _team(ctx)
    team.enrol(UUID(int=9), MemberRole.MEMBER, ctx.actor)
    return team


def _signed_up(ctx: Ctx) -> ServiceActivity:
    activity = ctx.activity()
    activity.sign_up(UUID(int=9), ctx.actor)
    return activity


def _with_hours(ctx: Ctx) -> ServiceActivity:
    activity = ctx.activity()
    activity.record_hours(
        volunteer_id=UUID(int=9),
        interval=activity.window,
        source=HoursSource.CHECKIN,
        tolerance=timedelta(0),
        actor=ctx.actor,
    )
    return activity


def _correct(text: str, ctx: Ctx) -> Any:
    activity = _with_hours(ctx)
    start = activity.window.start
    return activity.correct_attendance(
        volunteer_id=UUID(int=9),
        interval=Interval(start, start + timedelta(hours=1)),
        reason=text,
        tolerance=timedelta(0),
        actor=ctx.actor,
    )


def _media(ctx: Ctx, **changes: str) -> Any:
    activity = ctx.activity()
    given = dict(outlet="内蒙古日报", url="https://example.cn/a.html")
    given.update(changes)
    return activity.record_media(
        **given, level=MediaLevel.CITY, published_on=activity.window.start.date(), actor=ctx.actor
    )


FIELDS = [
    Field("register", "name", lambda t, c: _register(c, name=t)),
    Field("register", "township", lambda t, c: _register(c, township=t)),
    Field("register", "phone", lambda t, c: _register(c, phone=t), required=False, max_length=40),
    Field("register", "skills[0]", lambda t, c: _register(c, skills=[t]), False, False, 100),
    Field(
        "update_profile",
        "township",
        lambda t, c: c.volunteer().update_profile(
            phone=None, township=t, skills=None, actor=c.actor
        ),
    ),
    Field(
        "update_profile",
        "phone",
        lambda t, c: c.volunteer().update_profile(
            phone=t, township=None, skills=None, actor=c.actor
        ),
        required=False,
        max_length=40,
    ),
    Field(
        "update_profile",
        "skills[0]",
        lambda t, c: c.volunteer().update_profile(
            phone=None, township=None, skills=[t], actor=c.actor
        ),
        required=False,
        max_length=100,
    ),
    Field(
        "complete_training",
        "course",
        lambda t, c: c.volunteer().complete_training(
            course=t,
            hours=Decimal(2),
            completed_on=date(2022, 3, 1),
            rules=c.rules,
            rulebook_hash="h",
            actor=c.actor,
        ),
    ),
    Field(
        "record_insurance",
        "policy_number",
        lambda t, c: c.volunteer().record_insurance(_policy(number=t), c.actor),
    ),
    Field(
        "record_insurance",
        "insurer",
        lambda t, c: c.volunteer().record_insurance(_policy(insurer=t), c.actor),
    ),
    Field(
        "cancel_insurance",
        "reason",
        lambda t, c: c.volunteer().cancel_insurance("P-2022", t, c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "redeem",
        "benefit",
        lambda t, c: _trained(c).redeem(points=Decimal(1), benefit=t, actor=c.actor),
    ),
    Field(
        "reverse_award",
        "reason",
        lambda t, c: (lambda v, e: v.reverse_award(entry_id=e, reason=t, actor=c.actor))(
            *_awarded(c)
        ),
        multiline=True,
        max_length=2000,
    ),
    Field(
        "grant_commendation",
        "title",
        lambda t, c: c.volunteer().grant_commendation(
            title=t, period="2022", basis_position=1, reason="", actor=c.actor
        ),
    ),
    Field(
        "grant_commendation",
        "period",
        lambda t, c: c.volunteer().grant_commendation(
            title="优秀", period=t, basis_position=1, reason="", actor=c.actor
        ),
        max_length=40,
    ),
    Field(
        "grant_commendation",
        "reason",
        lambda t, c: c.volunteer().grant_commendation(
            title="优秀", period="2022", basis_position=1, reason=t, actor=c.actor
        ),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "revoke_commendation",
        "reason",
        lambda t, c: (
            lambda v, cid: v.revoke_commendation(commendation_id=cid, reason=t, actor=c.actor)
        )(*_commended(c)),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "suspend",
        "reason",
        lambda t, c: c.volunteer().suspend(reason=t, actor=c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "reinstate",
        "reason",
        lambda t, c: _suspended(c).reinstate(reason=t, actor=c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "withdraw",
        "reason",
        lambda t, c: c.volunteer().withdraw(reason=t, actor=c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field("form_team", "name", lambda t, c: _team(c, name=t)),
    Field("form_team", "township", lambda t, c: _team(c, township=t), required=False),
    Field("form_team", "station", lambda t, c: _team(c, station=t), required=False),
    Field(
        "leave_team",
        "reason",
        lambda t, c: _with_member(c).leave(UUID(int=9), t, c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "commend_team",
        "title",
        lambda t, c: _team(c).commend(
            title=t, period="2022", basis_position=1, reason="", actor=c.actor
        ),
    ),
    Field(
        "commend_team",
        "period",
        lambda t, c: _team(c).commend(
            title="优秀", period=t, basis_position=1, reason="", actor=c.actor
        ),
        max_length=40,
    ),
    Field(
        "commend_team",
        "reason",
        lambda t, c: _team(c).commend(
            title="优秀", period="2022", basis_position=1, reason=t, actor=c.actor
        ),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field(
        "dissolve_team",
        "reason",
        lambda t, c: _team(c).dissolve(t, c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field("plan_activity", "title", lambda t, c: _plan(c, title=t)),
    Field("plan_activity", "township", lambda t, c: _plan(c, township=t)),
    Field("plan_activity", "station", lambda t, c: _plan(c, station=t)),
    Field("plan_activity", "location", lambda t, c: _plan(c, location=t), required=False),
    Field(
        "withdraw_signup",
        "reason",
        lambda t, c: _signed_up(c).withdraw_signup(UUID(int=9), t, c.actor),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field("correct_attendance", "reason", _correct, multiline=True, max_length=2000),
    Field(
        "record_feedback",
        "comment",
        lambda t, c: c.activity().record_feedback(5, t, c.actor, **terms()),
        multiline=True,
        required=False,
        max_length=2000,
    ),
    Field("record_media", "outlet", lambda t, c: _media(c, outlet=t)),
    Field("record_media", "url", lambda t, c: _media(c, url=t), required=False, max_length=2000),
    Field(
        "cancel_activity",
        "reason",
        lambda t, c: c.activity().cancel(t, c.actor),
        multiline=True,
        max_length=2000,
    ),
]


@pytest.fixture(scope="session")
def ctx(
    actor: Actor,
    rules: RulebookVersion,
    make_volunteer: Callable[..., Volunteer],
    make_activity: Callable[..., ServiceActivity],
) -> Ctx:
    return Ctx(actor, rules, make_volunteer, make_activity)


@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(FIELDS), text=hostile_text())
def test_every_text_field_of_every_command_refuses_hostile_text_naming_it(
    ctx: Ctx, field: Field, text: str
) -> None:
    """Refused (InvalidValue naming the field) exactly when the rules say so; otherwise
    the command records its event."""
    if field.required and not text.strip():
        with pytest.raises(DomainError):  # "required-field" or "reason-required"
            field.call(text, ctx)
    elif refused_characters(text, multiline=field.multiline) or len(text) > field.max_length:
        with pytest.raises(InvalidValue) as refused_:
            field.call(text, ctx)
        assert refused_.value.field == field.name, (field.command, refused_.value)
    else:
        assert not refused(
            text, multiline=field.multiline, required=field.required, max_length=field.max_length
        )
        field.call(text, ctx)


def test_the_field_table_covers_every_text_parameter_of_every_command() -> None:
    """A command given a new text parameter must join FIELDS (and check_text)."""
    import inspect

    covered = {(f.command, f.name.split("[")[0]) for f in FIELDS}
    text_params = {
        (name, param)
        for cls, methods in (
            (
                Volunteer,
                (
                    "register",
                    "update_profile",
                    "complete_training",
                    "cancel_insurance",
                    "redeem",
                    "reverse_award",
                    "grant_commendation",
                    "revoke_commendation",
                    "suspend",
                    "reinstate",
                    "withdraw",
                ),
            ),
            (VolunteerTeam, ("leave", "commend", "dissolve")),
            (ServiceActivity, ("withdraw_signup", "correct_attendance", "cancel")),
        )
        for name in methods
        for param, p in inspect.signature(getattr(cls, name)).parameters.items()
        if p.annotation in ("str", "str | None", "list[str]", "list[str] | None")
    }
    renamed = {
        "leave": "leave_team",
        "commend": "commend_team",
        "dissolve": "dissolve_team",
        "cancel": "cancel_activity",
        "withdraw_signup": "withdraw_signup",
    }
    missing = {(renamed.get(c, c), p) for c, p in text_params} - covered
    assert missing <= {
        # Its own format rule (normalise_national_id): 17 digits and a check character.
        ("register", "national_id"),
        # Names a policy the volunteer holds (recorded through the text rules) or is refused.
        ("cancel_insurance", "policy_number"),
        # Computed by the application from the rulebook file, never typed.
        ("complete_training", "rulebook_hash"),
    }, missing


# ----------------------------------------------------------------- finding 10's other values


def test_training_hours_off_the_rulebooks_step_are_refused(
    volunteer: Volunteer, rules: RulebookVersion, actor: Actor
) -> None:
    """1e-10 h once made a balance of 126.5000000001."""
    # Given the rulebook's half-hour step
    assert rules.hours_step == Decimal("0.5")

    # When 1e-10 hours of training are recorded, then they are refused as a bad value
    with pytest.raises(InvalidValue, match=r"not a multiple of 0\.5") as refused_:
        volunteer.complete_training(
            course="急救",
            hours=Decimal("1e-10"),
            completed_on=date(2022, 3, 1),
            rules=rules,
            rulebook_hash="h",
            actor=actor,
        )
    assert (refused_.value.field, refused_.value.rule) == ("hours", "hours-step")


def test_training_hours_on_the_rulebooks_step_are_recorded(
    volunteer: Volunteer, rules: RulebookVersion, actor: Actor
) -> None:
    # When 2.5 hours of training are recorded, then they earn 2.5 points
    volunteer.complete_training(
        course="急救",
        hours=Decimal("2.5"),
        completed_on=date(2022, 3, 1),
        rules=rules,
        rulebook_hash="h",
        actor=actor,
    )
    assert volunteer.balance == Decimal("2.5")


def test_a_malformed_ranking_period_is_an_invalid_value_not_a_broken_rule() -> None:
    # When a thirteenth month is parsed as a period, then it is a bad value
    with pytest.raises(InvalidValue) as refused_:
        Period.parse("2022-13")
    assert (refused_.value.field, refused_.value.rule) == ("period", "period-format")
