"""The Need aggregate: a need raised at a station (需求清单), open until an activity meets it
or the station declines it with a reason.

A need includes the difficulties the bureau's plan names (生活、就学、就业), besides needs for
a service of one of the rulebook's categories. Who raised it and how to reach them are kept
in the event; reads mask the contact as they mask national ids.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.copying import CopiedOnLoad
from domain.errors import rule_violation
from domain.text import require_filled, require_nonblank
from domain.values import Actor, BeneficiaryType, check_text

T = "volunteer-ledger:Need"

# The plan's difficulties (困难诉求): a need's category is one of these or a service
# category of the rulebook.
DIFFICULTIES: dict[str, str] = {
    "life_difficulty": "生活困难",
    "education_difficulty": "就学困难",
    "employment_difficulty": "就业困难",
}

OPEN, MET, DECLINED = "open", "met", "declined"


class Need(CopiedOnLoad, Aggregate):
    """One need of a beneficiary, raised at a station."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    @event("Raised", topic=f"{T}.Raised")
    def __init__(
        self,
        township: str,
        station_id: UUID,
        beneficiary_type: BeneficiaryType,
        category: str,
        description: str,
        raised_by_name: str,
        raised_by_contact: str,
        actor: Actor,
    ) -> None:
        self.township = township
        self.station_id = station_id
        self.beneficiary_type = beneficiary_type
        self.category = category
        self.description = description
        self.raised_by_name = raised_by_name
        self.raised_by_contact = raised_by_contact
        self.status = OPEN
        self.activity_id: UUID | None = None

    @classmethod
    def raise_need(
        cls,
        *,
        township: str,
        station_id: UUID,
        station_township: str,
        beneficiary_type: BeneficiaryType,
        category: str,
        description: str,
        raised_by_name: str,
        raised_by_contact: str,
        actor: Actor,
    ) -> Need:
        """``station_township``: the township of the station ``station_id`` (a need is
        raised at a station of its own township, or at the banner centre: empty)."""
        check_text("township", township)
        check_text("description", description, multiline=True)
        check_text("raised_by.name", raised_by_name)
        check_text("raised_by.contact", raised_by_contact)
        require_filled(
            "need",
            ("township", township),
            ("description", description),
            ("raised_by.name", raised_by_name),
            ("raised_by.contact", raised_by_contact),
        )
        if station_township and station_township != township.strip():
            raise rule_violation(
                "need-station-township",
                f"station {station_id} is in {station_township}, not in {township.strip()}",
                f"服务站 {station_id} 属于{station_township}，不属于{township.strip()}",
            )
        return cls(
            township=township.strip(),
            station_id=station_id,
            beneficiary_type=beneficiary_type,
            category=category,
            description=description.strip(),
            raised_by_name=raised_by_name.strip(),
            raised_by_contact=raised_by_contact.strip(),
            actor=actor,
        )

    def _require_open(self, doing: str) -> None:
        if self.status != OPEN:
            raise rule_violation(
                "need-closed",
                f"need {self.id} is {self.status}: cannot {doing}",
                f"需求 {self.id} 已{'满足' if self.status == MET else '不予受理'}，不能{doing}",
            )

    def meet(
        self,
        *,
        activity_id: UUID,
        activity_township: str,
        activity_verified: bool,
        project_id: UUID | None,
        outcome: str,
        actor: Actor,
    ) -> None:
        """Close the need as met by a verified activity of its township."""
        self._require_open("be closed again")
        check_text("outcome", outcome, multiline=True)
        require_nonblank(outcome, "required-field", "closing a need needs its outcome")
        if not activity_verified:
            raise rule_violation(
                "need-activity-verified",
                f"activity {activity_id} is not verified: only a verified activity meets a need",
                f"活动 {activity_id} 尚未审核：只有已审核的活动才能满足需求",
            )
        if activity_township != self.township:
            raise rule_violation(
                "need-activity-township",
                f"activity {activity_id} served {activity_township}, not {self.township}",
                f"活动 {activity_id} 服务于{activity_township}，不是需求所在的{self.township}",
            )
        self._met(
            activity_id=activity_id, project_id=project_id, outcome=outcome.strip(), actor=actor
        )

    @event("Met", topic=f"{T}.Met")
    def _met(self, activity_id: UUID, project_id: UUID | None, outcome: str, actor: Actor) -> None:
        self.status = MET
        self.activity_id = activity_id

    def decline(self, reason: str, actor: Actor) -> None:
        self._require_open("be declined")
        check_text("reason", reason, multiline=True, required=False)
        require_nonblank(reason, "reason-required", "declining a need needs a reason")
        self._declined(reason=reason.strip(), actor=actor)

    @event("Declined", topic=f"{T}.Declined")
    def _declined(self, reason: str, actor: Actor) -> None:
        self.status = DECLINED

    def state(self) -> dict[str, Any]:
        return dict(vars(self))
