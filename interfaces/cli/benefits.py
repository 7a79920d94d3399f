"""Courtesy benefits (礼遇) from the command line: list the rulebook's benefits per tier,
redeem one for a volunteer (printing the voucher code), hand one over against its code."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

import typer

from application.commands.people import RedeemPoints, UseVoucher
from application.readmodel.queries.served import voucher
from domain.volunteer import TIER_ZH, voucher_code
from interfaces.cli.common import DatabaseUrl, console, errors, opened
from interfaces.cli.recording import local_actor, opened_ledger

app = typer.Typer(help="Courtesy benefits: list them, redeem one, hand one over by its code.")


@app.command("list")
def list_benefits(database_url: DatabaseUrl = None) -> None:
    """The benefits of the rulebook in force today, per tier (cost in points; 0 = free)."""
    with opened(database_url) as container:
        rules = container.ledger.rules_today()
        for tier in sorted(rules.courtesy_tiers, key=lambda t: t.min_points):
            console.print(f"{TIER_ZH.get(tier.name, tier.name)} ({tier.name}, {tier.min_points}+)")
            for b in sorted(rules.benefits_for(tier.name).values(), key=lambda b: b.code):
                console.print(f"  {b.code:<14} {b.points:>4}  {b.name_zh}")


@app.command("redeem")
def redeem(
    volunteer_id: UUID,
    benefit: Annotated[str, typer.Argument(help="The benefit's code (see `benefits list`).")],
    points: Annotated[
        Decimal | None, typer.Option(help="What it costs at the volunteer's tier, to check.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Redeem a benefit for a volunteer and print the voucher code to hand over."""
    with opened_ledger(database_url) as ledger:
        recorded = ledger.redeem_points(
            RedeemPoints(volunteer_id=volunteer_id, benefit=benefit, points=points),
            actor=local_actor(),
        )
    code = voucher_code(recorded.created["entry_id"])
    console.print(f"voucher {code}: volunteer {recorded.id}, position {recorded.position}")


@app.command("use")
def use(
    code: str,
    volunteer_id: Annotated[
        UUID | None,
        typer.Option("--volunteer", help="Whose voucher (else looked up in the read models)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Hand over the benefit a voucher stands for (核销): once only."""
    if volunteer_id is None:
        with opened(database_url) as container:
            found = voucher(container.read_models().store, code.strip().upper())
        if found is None:
            errors.print(f"[red]refused:[/red] no courtesy voucher {code} (try --volunteer)")
            raise typer.Exit(1)
        volunteer_id = UUID(str(found["volunteer_id"]))
    with opened_ledger(database_url) as ledger:
        recorded = ledger.use_voucher(
            UseVoucher(volunteer_id=volunteer_id, code=code.strip().upper()), actor=local_actor()
        )
    console.print(f"voucher {code} used: volunteer {recorded.id}, position {recorded.position}")
