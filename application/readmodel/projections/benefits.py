"""Courtesy vouchers (礼遇凭证) and media coverage: the two small read models of the registers.

Each projection handles a few topics and ignores every other: it has nothing to say about
them, and a new event elsewhere leaves it as it is.
"""

from __future__ import annotations

from typing import Any

from application.readmodel.base import Projection, day, enum, event_topics, handles, iso, num, text
from application.readmodel.store import RowStore
from application.readmodel.tables import MEDIA, VOUCHER

_VOUCHER_TOPICS = frozenset({"Volunteer.PointsRedeemed", "Volunteer.VoucherUsed"})
_MEDIA_TOPICS = frozenset({"ServiceActivity.MediaCoverageRecorded"})


class VoucherProjection(Projection):
    """A voucher per redemption of a rulebook benefit: issued, then used once."""

    name = "vouchers"
    tables = (VOUCHER,)
    ignored = event_topics() - _VOUCHER_TOPICS

    @handles("Volunteer.PointsRedeemed")
    def _issued(self, store: RowStore, e: Any, position: int) -> None:
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

    @handles("Volunteer.VoucherUsed")
    def _used(self, store: RowStore, e: Any, position: int) -> None:
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
    ignored = event_topics() - _MEDIA_TOPICS

    @handles("ServiceActivity.MediaCoverageRecorded")
    def _media(self, store: RowStore, e: Any, position: int) -> None:
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
