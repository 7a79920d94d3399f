"""What the HTTP tests share: reading an answer (a success, a problem) and building the
records most tests start from (a station, a team, an insured volunteer, an activity) over
the API, as a client would."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from domain.values import national_id_check_char
from tests.e2e.http_support import TOWNSHIP

PROBLEM = "application/problem+json"
_serial = itertools.count(1)


def national_id() -> str:
    first17 = f"15010219800101{next(_serial):03d}"
    return first17 + national_id_check_char(first17)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


_stations: dict[tuple[str, str], str] = {}


def station(c: httpx.Client, township: str = TOWNSHIP) -> str:
    """The township's station on this server, registered (by ``c``) on first use."""
    key = (str(c.base_url), township)
    if key not in _stations:
        body = {"name": f"{township}退役军人服务站", "level": "township", "township": township}
        _stations[key] = str(ok(c.post("/stations", json=body), 201)["id"])
    return _stations[key]


def team(c: httpx.Client, name: str = "巴彦镇志愿服务队") -> str:
    body = {
        "name": name,
        "level": "township",
        "township": TOWNSHIP,
        "station_id": station(c),
    }
    return str(ok(c.post("/teams", json=body), 201)["id"])


def volunteer(c: httpx.Client, name: str = "王建国", *, insured: bool = True) -> str:
    body = {
        "name": name,
        "national_id": national_id(),
        "phone": "13800000000",
        "person_type": "veteran",
        "township": TOWNSHIP,
        "skills": ["急救", "蒙汉双语"],
    }
    vid = str(ok(c.post("/volunteers", json=body), 201)["id"])
    if insured:
        policy = {
            "policy_number": f"PICC-{vid[:8]}",
            "insurer": "中国人保",
            "kind": "group",
            "covers_from": "2022-01-01",
            "covers_to": "2022-12-31",
            "sum_insured": "200000",
        }
        ok(c.post(f"/volunteers/{vid}/insurance", json=policy))
    return vid


def activity(c: httpx.Client, team_id: str, title: str = "健康知识进社区") -> str:
    body = {
        "title": title,
        "category": "health_education",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(c),
        "location": "巴彦镇文化广场",
        "starts_at": "2022-05-11T08:00:00+08:00",
        "ends_at": "2022-05-11T18:00:00+08:00",
        "beneficiary_types": ["veteran", "public"],
        "capacity": 10,
    }
    return str(ok(c.post("/activities", json=body), 201)["id"])
