"""Courtesy vouchers (礼遇凭证) and media coverage: the two small read models of the registers.

Each projection handles a few event types and ignores every other: it has nothing to say about
them, and a new event elsewhere leaves it as it is.
"""

from __future__ import annotations

from application.readmodel.base import Projection, handles
from application.readmodel.events import event_types
from application.readmodel.store import RowStore
from application.readmodel.tables import MEDIA, VOUCHER
from application.readmodel.values import day, enum, iso, num, text
from domain.activity import ServiceActivity
from domain.volunteer import Volunteer

_VOUCHER_EVENTS = frozenset({Volunteer.PointsRedeemed, Volunteer.VoucherUsed})
_MEDIA_EVENTS = frozenset({ServiceActivity.MediaCoverageRecorded})


class VoucherProjection(Projection):
    """A voucher per redemption of a rulebook benefit: issued, then used once."""

    name = "vouchers"
    tables = (VOUCHER,)
    ignored = event_types() - _VOUCHER_EVENTS

    @handles
    def _issued(self, store: RowStore, e: Volunteer.PointsRedeemed, position: int) -> None:
        if e.voucher_code is None:  # a free-text redemption of before the rulebook's benefits
            return
        store.upsert(
            VOUCHER,
            {
                "voucher_code": e.voucher_code,
                "entry_id": text(e.entry_id),
                "volunteer_id": text(e.originator_id),
                "benefit_code": e.benefit_code,
                "benefit": e.benefit,
                "points": num(e.points),
                "issued_at": iso(e.timestamp),
                "issued_by": e.actor.user_id,
                "used": 0,
                "used_at": None,
                "used_by": None,
                "position": position,
            },
        )

    @handles
    def _used(self, store: RowStore, e: Volunteer.VoucherUsed, position: int) -> None:
        store.update(
            VOUCHER,
            (e.code,),
            {
                "used": 1,
                "used_at": iso(e.timestamp),
                "used_by": e.actor.user_id,
                "position": position,
            },
        )


class MediaProjection(Projection):
    """Every media report on an activity, for the list the bulletin prints."""

    name = "media"
    tables = (MEDIA,)
    ignored = event_types() - _MEDIA_EVENTS

    @handles
    def _media(
        self, store: RowStore, e: ServiceActivity.MediaCoverageRecorded, position: int
    ) -> None:
        coverage = e.coverage
        store.upsert(
            MEDIA,
            {
                "activity_id": text(e.originator_id),
                "seq": e.originator_version,
                "outlet": coverage.outlet,
                "level": enum(coverage.level),
                "url": coverage.url,
                "published_on": day(coverage.published_on),
                "recorded_at": iso(e.timestamp),
                "position": position,
            },
        )
