"""Courtesy benefits (礼遇): the rulebook's benefits per tier, redeeming one for a volunteer
(which issues a voucher code), and handing the benefit over against that code (核销),
once; and the people served and media coverage the bulletin reports."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel

from application.commands import people as commands
from application.readmodel.queries.served import (
    beneficiary_totals,
    media_coverage,
    voucher,
    vouchers_of,
)
from domain.ranking import Period
from domain.volunteer import TIER_ZH, Volunteer, voucher_code
from interfaces.http.auth import CallerDep
from interfaces.http.deps import READ_WAIT_SECONDS, ContainerDep, IfMatch, Reads
from interfaces.http.people_answers import Beneficiaries, Media, Voucher, Vouchers
from interfaces.http.people_schemas import RedeemPoints
from interfaces.http.problems import Problem
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["benefits"])

VOUCHER_CODE = re.compile(r"LY-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
VoucherCode = Annotated[
    str,
    Path(
        pattern=f"^{VOUCHER_CODE.pattern}$",
        description="the voucher code printed for the volunteer, e.g. LY-7K3M-Q9XA-2BCD",
    ),
]
PeriodText = Annotated[
    str, Query(max_length=7, description="a year (2022), quarter (2022-Q3) or month (2022-07)")
]


class RedemptionResult(WriteResult):
    """The write's figures, and the voucher code to hand to the volunteer."""

    voucher_code: str


class Benefit(BaseModel):
    code: str
    name_zh: str
    points: str
    free: bool
    offered_from: str


class Tier(BaseModel):
    tier: str
    tier_zh: str
    min_points: str
    benefits: list[Benefit]


class BenefitsAnswer(BaseModel):
    rulebook_version: str
    tiers: list[Tier]


@router.get("/benefits")
def list_benefits(caller: CallerDep, container: ContainerDep) -> BenefitsAnswer:
    """The courtesy benefits of the rulebook in force today, per tier: what each tier
    includes (its own and every lower tier's) and what each costs at that tier."""
    rules = container.ledger.rules_today()
    tiers = []
    for tier in sorted(rules.courtesy_tiers, key=lambda t: t.min_points):
        offered = rules.benefits_for(tier.name)
        tiers.append(
            Tier(
                tier=tier.name,
                tier_zh=TIER_ZH.get(tier.name, tier.name),
                min_points=str(tier.min_points),
                benefits=[
                    Benefit(
                        code=b.code,
                        name_zh=b.name_zh,
                        points=str(b.points),
                        free=b.points == 0,
                        offered_from=b.tier,
                    )
                    for b in sorted(offered.values(), key=lambda b: b.code)
                ],
            )
        )
    return BenefitsAnswer(rulebook_version=rules.version, tiers=tiers)


@router.post("/volunteers/{volunteer_id}/redemptions")
def redeem_benefit(
    volunteer_id: UUID,
    body: RedeemPoints,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> RedemptionResult:
    """Redeem a courtesy benefit for a volunteer (admin, or station staff of the
    volunteer's township): 409 ``benefit-not-in-tier`` when the volunteer's tier does not
    include it, ``redemption-within-balance`` when the balance is short. The ledger entry
    is ``created.entry_id``; ``voucher_code`` is what the provider redeems."""
    volunteer: Volunteer = container.ledger.load(Volunteer, volunteer_id)
    caller.require_township(str(volunteer.township), "volunteers")
    recorded = container.ledger.redeem_points(
        commands.RedeemPoints(
            volunteer_id=volunteer_id,
            benefit=body.benefit,
            points=body.points,
            expected_version=if_match,
        ),
        actor=caller.actor,
    )
    return RedemptionResult(
        **WriteResult.of(recorded).model_dump(),
        voucher_code=voucher_code(recorded.created["entry_id"]),
    )


@router.get("/volunteers/{volunteer_id}/redemptions", response_model=Vouchers)
def list_vouchers(volunteer_id: UUID, caller: CallerDep, reads: Reads) -> dict[str, Any]:
    """A volunteer's courtesy vouchers, newest first, each issued or used."""
    return {"volunteer_id": str(volunteer_id), "items": vouchers_of(reads.store, str(volunteer_id))}


def _voucher_or_404(reads: Any, code: str) -> dict[str, Any]:
    found = voucher(reads.store, code)
    if found is None:
        raise Problem(404, "not-found", "Not found", f"no courtesy voucher {code}")
    return found


@router.get("/vouchers/{code}", response_model=Voucher)
def read_voucher(code: VoucherCode, caller: CallerDep, reads: Reads) -> dict[str, Any]:
    """A voucher by its code: whose it is, for which benefit, and whether it was used."""
    return _voucher_or_404(reads, code)


@router.post("/vouchers/{code}/use", status_code=status.HTTP_200_OK)
def use_voucher(
    code: VoucherCode,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Hand over the benefit a voucher stands for (核销; admin, or station staff of the
    volunteer's township): once only, a second time is 409 ``voucher-used``. ``If-Match``
    refers to the volunteer's version."""
    caller.require_clerk("hand over courtesy benefits")
    container.wait_for(container.ledger.current_position(), timeout=READ_WAIT_SECONDS)
    found = _voucher_or_404(container.read_models(), code)
    caller.require_township(str(found["township"]), "volunteers")
    return WriteResult.of(
        container.ledger.use_voucher(
            commands.UseVoucher(
                volunteer_id=UUID(str(found["volunteer_id"])), code=code, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.get("/beneficiaries", response_model=Beneficiaries)
def list_beneficiaries(
    caller: CallerDep,
    reads: Reads,
    period: PeriodText,
    by: Literal["station", "team", "category", "township"] = "station",
) -> dict[str, Any]:
    """People served by beneficiary type over the verified activities that started in the
    period, per station, team, category or township, with the period's totals."""
    return beneficiary_totals(reads.store, reads.rulebook, Period.parse(period), by)


@router.get("/media", response_model=Media)
def list_media(caller: CallerDep, reads: Reads, period: PeriodText) -> dict[str, Any]:
    """Media coverage published in the period: outlet, level, url, date and activity."""
    return {"period": period, "items": media_coverage(reads.store, Period.parse(period))}
