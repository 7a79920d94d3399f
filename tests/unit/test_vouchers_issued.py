"""The annual report's vouchers are those issued in the year by the date in Beijing, as the
report shows their times: given voucher rows as the projection writes them, when the
year's vouchers are read, then the year boundary is midnight in Beijing, not in UTC."""

from __future__ import annotations

from datetime import timedelta

from application.readmodel.queries.served import vouchers_issued
from application.readmodel.store import MemoryStore
from application.readmodel.tables import VOLUNTEER, VOUCHER
from domain.ranking import Period

BEIJING = timedelta(hours=8)


def _issued(store: MemoryStore, code: str, at: str) -> None:
    store.upsert(
        VOUCHER,
        {
            "voucher_code": code,
            "entry_id": f"entry-{code}",
            "volunteer_id": "v1",
            "benefit_code": "haircut",
            "benefit": "理发",
            "points": "0",
            "issued_at": at,
            "issued_by": "staff",
            "used": 0,
            "used_at": None,
            "used_by": None,
            "position": 1,
        },
    )


def _store() -> MemoryStore:
    store = MemoryStore()
    store.upsert(VOLUNTEER, {"volunteer_id": "v1", "name": "王建国", "township": "图克镇"})
    _issued(store, "NEWYEAR-2022", "2021-12-31T16:30:00+00:00")  # 00:30 on 1 Jan in Beijing
    _issued(store, "LATE-2021", "2021-12-31T15:59:59.500000+00:00")  # 23:59 on 31 Dec
    _issued(store, "MIDYEAR", "2022-06-01T02:00:00+00:00")
    _issued(store, "NEWYEAR-2023", "2022-12-31T16:00:00+00:00")  # midnight in Beijing
    return store


def test_a_voucher_issued_after_midnight_in_beijing_belongs_to_the_new_year() -> None:
    issued = vouchers_issued(_store(), Period.parse("2022"), BEIJING)
    assert [v["voucher_code"] for v in issued] == ["NEWYEAR-2022", "MIDYEAR"]
    assert issued[0]["volunteer_name"] == "王建国" and issued[0]["township"] == "图克镇"


def test_the_year_before_keeps_its_last_evening() -> None:
    issued = vouchers_issued(_store(), Period.parse("2021"), BEIJING)
    assert [v["voucher_code"] for v in issued] == ["LATE-2021"]
