"""A group policy for 2023 bought for a member list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.commands.insurance import RecordGroupPolicy
from application.ledger import VolunteerLedger
from tests.support.builders import BUREAU

Y23 = {"covers_from": date(2023, 1, 1), "covers_to": date(2023, 12, 31)}


def group_policy(ledger: VolunteerLedger, members: list[UUID | None], **more: object) -> object:
    fields: dict[str, object] = {**Y23, **more}
    return ledger.record_group_policy(
        RecordGroupPolicy(
            policy_number="PICC-2023-GRP",
            insurer="人保鄂尔多斯",
            sum_insured=Decimal(100000),
            members=members,
            **fields,  # type: ignore[arg-type]
        ),
        actor=BUREAU,
    )
