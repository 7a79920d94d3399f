"""Point ledger projection: every entry with its cause and running balance, and each account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from application.readmodel.base import Projection, handles
from application.readmodel.events import (
    ACTIVITY_EVENTS,
    AUDIT_EVENTS,
    DECISION_EVENTS,
    INSURANCE_EVENTS,
    NEED_EVENTS,
    STATION_EVENTS,
    TEAM_EVENTS,
    VOLUNTEER_STATUS_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.store import Row, RowStore
from application.readmodel.tables import ACCOUNT, ENTRY
from application.readmodel.values import dec, enum, interval_texts, iso, num, text
from domain.volunteer import Volunteer

ZERO = Decimal(0)


def _json(value: dict[str, Any]) -> str:
    """An entry's detail as compact JSON, keys sorted (read back with ``json.loads``): orjson
    writes it ten times faster than the standard encoder, and every award has one."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class LedgerProjection(Projection):
    name = "ledger"
    weight = 6
    tables = (ACCOUNT, ENTRY)
    ignored = (
        AUDIT_EVENTS
        | NEED_EVENTS
        | VOUCHER_EVENTS
        | STATION_EVENTS
        | TEAM_EVENTS
        | ACTIVITY_EVENTS
        | VOLUNTEER_STATUS_EVENTS
        | DECISION_EVENTS
        | INSURANCE_EVENTS
        | {Volunteer.ProfileUpdated}
    )

    @handles
    def _registered(self, store: RowStore, e: Volunteer.Registered, position: int) -> None:
        store.upsert(
            ACCOUNT,
            {
                "volunteer_id": text(e.originator_id),
                "balance": "0",
                "lifetime_points": "0",
                "credited_hours": "0",
                "backfilled_hours": "0",
                "training_hours": "0",
                "redeemed": "0",
                "entries": 0,
                "position": position,
            },
        )

    def _post(
        self,
        store: RowStore,
        e: Any,
        position: int,
        entry: Row,
        *,
        balance: Decimal = ZERO,
        lifetime: Decimal = ZERO,
        credited: Decimal = ZERO,
        backfilled: Decimal = ZERO,
        training: Decimal = ZERO,
        redeemed: Decimal = ZERO,
    ) -> None:
        """Append an entry and move the account's running figures by the given amounts."""
        volunteer_id = text(e.originator_id)
        seq, new_balance = self._move_account(
            store,
            volunteer_id,
            position,
            balance,
            (
                ("lifetime_points", lifetime),
                ("credited_hours", credited),
                ("backfilled_hours", backfilled),
                ("training_hours", training),
                ("redeemed", redeemed),
            ),
        )
        store.upsert(
            ENTRY,
            {
                "entry_id": text(entry.pop("entry_id")),
                "volunteer_id": volunteer_id,
                "seq": seq,
                "points": "0",
                "hours": "0",
                "backfill": 0,
                "activity_id": None,
                "category": None,
                "service_date": None,
                "rulebook_version": None,
                "reverses": None,
                "reversed": 0,
                **entry,
                "balance_after": num(new_balance),
                "recorded_at": iso(e.timestamp),
                "position": position,
            },
        )

    @staticmethod
    def _move_account(
        store: RowStore,
        volunteer_id: str,
        position: int,
        balance: Decimal,
        moves: tuple[tuple[str, Decimal], ...],
    ) -> tuple[int, Decimal]:
        """Move the account's balance and the running figures ``moves`` names; return the
        new entry's sequence number and the balance after it."""
        account = store.get(ACCOUNT, (volunteer_id,))
        if account is None:
            raise LookupError(f"ledger: no account for volunteer {volunteer_id} at {position}")
        new_balance = dec(account["balance"]) + balance
        seq = int(account["entries"]) + 1
        changes: Row = {"balance": num(new_balance), "entries": seq, "position": position}
        # Only the figures that move (an award leaves training and redemptions as they are).
        for column, amount in moves:
            if amount:
                changes[column] = num(dec(account[column]) + amount)
        store.update(ACCOUNT, (volunteer_id,), changes)
        return seq, new_balance

    @handles
    def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
        source = enum(e.source)
        backfill = source == "backfill"
        started, ended, _ = interval_texts(e.interval, self.latest.utc_offset)
        cause = {
            "interval": [started, ended],
            "source": source,
            "minutes": num(e.figures.minutes),
            "rounded_hours": num(e.figures.rounded_hours),
            "multiplier": num(e.figures.multiplier),
            "insurance_policy": e.insurance_policy,
            "uninsured_flag": e.uninsured_flag,
            "verified_by": e.actor.user_id,
        }
        self._post(
            store,
            e,
            position,
            {
                "entry_id": e.entry_id,
                "kind": "award",
                "points": num(e.points),
                "hours": num(e.hours),
                "backfill": int(backfill),
                "activity_id": text(e.activity_id),
                "category": e.category.code,
                "service_date": e.service_date.isoformat(),
                "rulebook_version": e.rulebook_version,
                "detail": _json(cause),
            },
            balance=e.points,
            lifetime=e.points,
            credited=e.hours,
            backfilled=e.hours if backfill else ZERO,
        )

    @handles
    def _reversed(self, store: RowStore, e: Volunteer.PointsReversed, position: int) -> None:
        store.update(ENTRY, (text(e.reverses),), {"reversed": 1})
        self._post(
            store,
            e,
            position,
            {
                "entry_id": e.entry_id,
                "kind": "reversal",
                "points": num(-e.points),
                "hours": num(-e.hours),
                "backfill": int(e.backfill),
                "activity_id": text(e.activity_id),
                "reverses": text(e.reverses),
                "detail": _json({"reason": e.reason}),
            },
            balance=-e.points,
            lifetime=-e.points,
            credited=-e.hours,
            backfilled=-e.hours if e.backfill else ZERO,
        )

    @handles
    def _redeemed(self, store: RowStore, e: Volunteer.PointsRedeemed, position: int) -> None:
        self._post(
            store,
            e,
            position,
            {
                "entry_id": e.entry_id,
                "kind": "redemption",
                "points": num(-e.points),
                "detail": _json({"benefit": e.benefit}),
            },
            balance=-e.points,
            redeemed=e.points,
        )

    @handles
    def _training(self, store: RowStore, e: Volunteer.TrainingCompleted, position: int) -> None:
        self._post(
            store,
            e,
            position,
            {
                "entry_id": e.entry_id,
                "kind": "training",
                "points": num(e.points),
                "hours": num(e.hours),
                "service_date": e.completed_on.isoformat(),
                "rulebook_version": e.rulebook_version,
                "detail": _json({"course": e.course}),
            },
            balance=e.points,
            lifetime=e.points,
            training=e.hours,
        )
