"""Finding people: by name, phone, skill or exact national id, within a township, team,
status, certified star level and insurance cover on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.commands.people import (
    EnrolMember,
    RecordInsurance,
    RegisterVolunteer,
    SuspendVolunteer,
)
from application.readmodel.queries.search import VolunteerSearch
from domain.values import InsuranceKind, MemberRole, PersonType
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, national_id, team


def _person(
    container: Container, name: str, phone: str, skills: list[str], township: str = "巴彦镇"
) -> tuple[UUID, str]:
    nid = national_id()
    vid = container.ledger.register_volunteer(
        RegisterVolunteer(
            name=name,
            national_id=nid,
            phone=phone,
            person_type=PersonType.VETERAN,
            township=township,
            skills=skills,
        ),
        actor=STAFF,
    ).id
    return vid, nid


@pytest.fixture
def people(container: Container) -> dict[str, UUID]:
    ledger = container.ledger
    rescuer, rescuer_id = _person(container, "巴特尔", "13947711111", ["急救", "驾驶"])
    suspended, _ = _person(container, "乌力吉", "13947722222", ["急救"])
    uninsured, _ = _person(container, "王急救", "13947733333", ["理发"])
    elsewhere, _ = _person(container, "斯琴", "13947744444", ["急救"], township="图克镇")
    for vid in (rescuer, suspended, elsewhere):
        ledger.record_insurance(
            RecordInsurance(
                volunteer_id=vid,
                policy_number=f"PICC-{vid.hex[:6]}",
                insurer="人保",
                kind=InsuranceKind.GROUP,
                covers_from=date(2022, 1, 1),
                covers_to=date(2022, 12, 31),
                sum_insured=Decimal(100000),
            ),
            actor=BUREAU,
        )
    ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=suspended, reason="外出"), actor=STAFF)
    team_id = team(ledger)
    ledger.enrol_member(
        EnrolMember(team_id=team_id, volunteer_id=rescuer, role=MemberRole.MEMBER), actor=STAFF
    )
    container.runner().catch_up()
    return {
        "rescuer": rescuer,
        "suspended": suspended,
        "uninsured": uninsured,
        "elsewhere": elsewhere,
        "team": team_id,
        "rescuer_national_id": rescuer_id,  # type: ignore[dict-item]
    }


def _found(container: Container, **search: object) -> set[str]:
    page = container.read_models().search_volunteers(VolunteerSearch(**search), limit=100)  # type: ignore[arg-type]
    return {r["volunteer_id"] for r in page["items"]}


def _ids(people: dict[str, UUID], *names: str) -> set[str]:
    return {str(people[n]) for n in names}


def test_who_with_first_aid_is_active_and_insured_today_in_this_township(
    container: Container, people: dict[str, UUID]
) -> None:
    found = _found(
        container, q="急救", township="巴彦镇", status="active", insured_on=date(2022, 7, 1)
    )
    assert found == _ids(people, "rescuer")


def test_q_matches_a_name_a_skill_or_part_of_a_phone_number(
    container: Container, people: dict[str, UUID]
) -> None:
    # "急救" is 王急救's name and the others' skill
    assert _found(container, q="急救") == _ids(
        people, "rescuer", "suspended", "uninsured", "elsewhere"
    )
    assert _found(container, q="7722") == _ids(people, "suspended")
    assert _found(container, q="驾驶") == _ids(people, "rescuer")


def test_a_national_id_matches_whole_and_only_for_those_who_see_ids(
    container: Container, people: dict[str, UUID]
) -> None:
    full = str(people["rescuer_national_id"])
    assert _found(container, q=full, match_national_id=True) == _ids(people, "rescuer")
    assert _found(container, q=full, match_national_id=False) == set()
    assert _found(container, q=full[:10], match_national_id=True) == set()
    full_width = full.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert _found(container, q=full_width, match_national_id=True) == _ids(people, "rescuer")


def test_filters_by_team_status_star_level_and_cover(
    container: Container, people: dict[str, UUID]
) -> None:
    assert _found(container, team_id=str(people["team"])) == _ids(people, "rescuer")
    assert _found(container, status="suspended") == _ids(people, "suspended")
    assert _found(container, star_level=0) == _ids(
        people, "rescuer", "suspended", "uninsured", "elsewhere"
    )
    assert _found(container, star_level=1) == set()
    assert _found(container, insured_on=date(2023, 1, 1)) == set()
    assert _found(container, insured_on=date(2022, 1, 1), township="图克镇") == _ids(
        people, "elsewhere"
    )


def test_pages_of_a_search_follow_the_cursor(container: Container, people: dict[str, UUID]) -> None:
    reads = container.read_models()
    first = reads.search_volunteers(VolunteerSearch(q="急救"), limit=3)
    rest = reads.search_volunteers(VolunteerSearch(q="急救"), limit=3, cursor=first["next_cursor"])
    assert len(first["items"]) == 3 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    everyone = {r["volunteer_id"] for r in first["items"] + rest["items"]}
    assert everyone == _ids(people, "rescuer", "suspended", "uninsured", "elsewhere")
