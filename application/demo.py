"""A deterministic demo programme year, recorded through the ledger's public use cases only.

``generate_year`` plays one county year forward in service-date order: a banner-level
team and township teams, volunteers with national ids and group accident insurance
(with a few deliberate gaps), trainings, and activities in every rulebook category with
sign-ups, hours (check-in, organiser, backfill; some by bulk sign-in sheet), people
served, feedback, media coverage, completion and four-eyes verification. The year ends
with corrections, reversals, redemptions, star certifications and commendations.

The domain's deliberate refusals are part of the story: an uninsured participant in a
category whose rulebook rule rejects is refused with rule ``insurance-required``; the
generator counts that and moves on. Every other error propagates. The same seed always
records the same history (only event timestamps and ids differ).
"""

from __future__ import annotations

import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import accumulate
from uuid import UUID

from application.demo_library import DemoLibrary
from application.ledger import VolunteerLedger
from application.readmodel.queries import ReadModels
from application.readmodel.ranking import RankingProjection
from application.readmodel.replay import replay
from application.results import AwardResult, HoursRow
from domain.commendation import ServiceYear
from domain.errors import DomainError
from domain.points import training_points
from domain.rulebook import MissingInsurance
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    Interval,
    MediaLevel,
    MemberRole,
    PersonType,
    Rater,
    Role,
    StationLevel,
    TeamLevel,
    national_id_check_char,
)
from domain.volunteer import Volunteer, voucher_code

TZ = timezone(timedelta(hours=8))
Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stages: volunteers, year, year-end."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# 乌审旗 (鄂尔多斯市, area code 150626): its five towns and one sumu, each with its
# station "<township>退役军人服务站"; (township name, user-id slug, its village stations).
TOWNSHIPS = (
    ("嘎鲁图镇", "galutu", _words("萨如拉图雅嘎查 呼和陶勒盖嘎查")),
    ("乌审召镇", "wushenzhao", _words("巴音敖包嘎查 乌审召嘎查")),
    ("图克镇", "tuke", _words("梅林庙嘎查")),
    ("乌兰陶勒盖镇", "wulantaolegai", _words("巴音布日都嘎查")),
    ("无定河镇", "wudinghe", _words("排子湾村")),
    ("苏力德苏木", "sulide", _words("沙尔利格嘎查")),
)
BANNER = "乌审旗"
BRAND = "绿色乌审·2781"  # the plan's brand for the banner's volunteer teams
BANNER_TEAM = f"{BRAND}退役军人志愿服务总队"
BANNER_STATION = f"{BANNER}退役军人服务中心"
VILLAGES = _words(
    "巴音温都尔 萨如拉图雅 呼和陶勒盖 巴音敖包 梅林庙 查汗庙 巴音布日都 沙尔利格 陶利 纳林河"
)
HOME_AREA = "150626"  # the national id's area code: most were born in the banner
# the rest elsewhere in 鄂尔多斯 (东胜, 康巴什, 达拉特, 准格尔, 鄂托克前旗, 鄂托克, 杭锦,
# 伊金霍洛), in 呼和浩特, or across the river in 榆林 (榆阳区)
OTHER_AREAS = _words("150602 150603 150621 150622 150623 150624 150625 150627 150102 610802")
SURNAMES = "王李张刘赵杨高郭孙马白韩吴陈邢郝杜贾田任武乔闫石梁冯包宝"
HAN_MALE = _words(
    "建国 国庆 卫东 建军 志强 永刚 海军 振华 保国 立新 文斌 海龙 俊峰 晓东 鹏 磊 强 伟 军 勇 涛"
)
HAN_FEMALE = _words("秀英 桂兰 玉梅 淑珍 丽 静 敏 艳 红梅 晓燕 丽娜 芳")
MONGOL_MALE = _words(
    "巴特尔 乌力吉 额尔敦 孟和 苏和 朝鲁 宝音 那日苏 阿拉坦仓 吉日嘎拉 满都拉 特木尔 毕力格 巴雅尔 图门"
)
MONGOL_FEMALE = _words("其木格 斯琴 萨仁 图雅 乌云 娜仁 高娃 托娅 塔娜 萨日娜")
SKILLS = _words(
    "急救 驾驶 理发 电工 家电维修 医疗护理 心理咨询 法律咨询 农机维修 蒙汉双语 摄影 厨艺 种植养殖 消防"
)
PHONE_PREFIXES = _words(
    "139 138 135 150 151 152 158 182 187 133 153 180 189 130 131 155 156 185 177 147"
)
PERSON_TYPES = {
    PersonType.VETERAN: 72,
    PersonType.DEMOBILIZED_VETERAN: 5,
    PersonType.DISABLED_VETERAN: 4,
    PersonType.MILITARY_FAMILY: 9,
    PersonType.MARTYR_FAMILY: 3,
    PersonType.PUBLIC: 7,
}
GROUP_INSURER = "中国人民财产保险股份有限公司鄂尔多斯市分公司"
OWN_INSURER = "中国人寿保险股份有限公司鄂尔多斯分公司"
COURSES = (
    ("志愿服务通用知识培训", "2"),
    ("应急救护技能培训", "4"),
    ("防汛抢险技能培训", "8"),
    ("心理疏导基础培训", "6"),
    ("政策法规宣讲员培训", "3"),
)
COMMENTS = {
    5: ("服务热情周到，非常感谢！", "老兵风采不减，为志愿者点赞", "组织有序，帮了大忙"),
    4: ("服务很好，希望多开展此类活动", "志愿者很耐心", "总体满意"),
    3: ("时间安排可以再合理些", "人手有点少，等候时间较长"),
}
OUTLETS = {
    MediaLevel.NATIONAL: ("中国退役军人杂志", "人民网"),
    MediaLevel.PROVINCIAL: ("内蒙古日报", "内蒙古广播电视台"),
    MediaLevel.CITY: ("鄂尔多斯日报", "鄂尔多斯广播电视台"),
    MediaLevel.BANNER: ("乌审旗融媒体中心", "乌审旗广播电视台"),
    MediaLevel.ONLINE: ("微信公众号“乌审旗退役军人事务局”", "抖音号“乌审旗退役军人服务中心”"),
}
MEDIA_WEIGHTS = (2, 7, 14, 27, 50)  # national … online, in MediaLevel order


@dataclass(frozen=True)
class _Theme:
    titles: tuple[str, ...]
    months: tuple[int, ...]  # relative weight of each month, January first
    beneficiaries: tuple[BeneficiaryType, ...]
    shape: str  # half (a morning or afternoon) | day | long (emergency) | multi (days)
    days: tuple[int, int] = (1, 28)  # the day-of-month range


# Per category: code, shape, a weight digit per month (January first; "@6-7" fixes the
# days of the month), the beneficiary types; then the titles, "{t}" the township and
# "{v}" a village. Categories the rulebook has and this table lacks get a generic theme.
THEME_TABLE = """
emergency_rescue long 222311441123 public veteran
    {t}防汛抢险救援|{t}暴雪灾害应急救援|{v}嘎查草原防火应急处置
epidemic_prevention multi 214421122443 public
    {v}社区核酸检测秩序维护|{t}疫情防控卡点值守|{t}疫苗接种现场服务
health_education half 111111111111 public veteran demobilized_veteran
    老年人慢性病防治知识讲座|卫生健康知识进{v}嘎查
civilized_city half 001333333210 public
    创建文明城市环境整治|{t}文明交通劝导
martyr_commemoration half 002810006001 martyr_family public
    清明节烈士陵园祭扫|烈士纪念日缅怀英烈活动
exam_support multi 000001000000@6-7 public
    助力高考爱心送考|高考考点周边秩序维护
event_support day 020011641100 public veteran
    那达慕大会秩序维护与政策咨询|旗运动会现场保障|元宵节灯会安全保障
condolence_visit half 640000344201 martyr_family military_family demobilized_veteran disabled_veteran
    春节走访慰问优抚对象|八一建军节慰问老战士|中秋节走访慰问烈属军属
honor_plaque half 321111241111 veteran military_family martyr_family
    为退役军人家庭悬挂光荣牌|{v}嘎查光荣牌悬挂更新
six_sends day 111111111111 veteran military_family disabled_veteran
    “六送”服务进{v}嘎查|送政策送岗位专场招聘会|送技能送帮扶入户走访
rural_revitalization day 212331112212 public veteran
    帮助脱贫户春耕备耕|{v}嘎查庭院经济种植指导|牧区道路清雪保畅通
skills_training half 111111111111 public veteran military_family
    农牧民实用技术培训|电商直播带货技能培训|科普知识进校园
psychological_support half 111111111111 veteran disabled_veteran demobilized_veteran
    退役军人心理健康疏导|空巢老人心理关爱走访
environmental_protection half 001553222100 public
    春季义务植树造林|草原生态保护巡护|{v}河道垃圾清理
"""


def _parse_themes(table: str) -> dict[str, _Theme]:
    rows = [line.strip() for line in table.strip().splitlines()]
    themes = {}
    for head, titles in zip(rows[::2], rows[1::2], strict=True):
        code, shape, when, *served = head.split()
        months, _, days = when.partition("@")
        first, _, last = (days or "1-28").partition("-")
        themes[code] = _Theme(
            titles=tuple(titles.split("|")),
            months=tuple(map(int, months)),
            beneficiaries=tuple(BeneficiaryType(kind) for kind in served),
            shape=shape,
            days=(int(first), int(last)),
        )
    return themes


THEMES = _parse_themes(THEME_TABLE)


@dataclass(frozen=True)
class DemoSummary:
    """What one demo year recorded. ``awards``/``points_awarded`` count verifications only;
    ``reversals`` include those made by corrections after verification."""

    events: int
    volunteers: int
    teams: int
    activities: int
    verified: int
    awards: int
    points_awarded: Decimal
    reversals: int
    uninsured_flags: int
    rejected_uninsured: int
    elapsed_seconds: float
    cancelled: int = 0
    corrections: int = 0
    redemptions: int = 0
    trainings: int = 0
    star_certifications: int = 0
    commendations: int = 0
    last_position: int = 0
    needs: int = 0
    needs_met: int = 0
    projects: int = 0


@dataclass(slots=True, eq=False)
class _Person:
    """What the generator remembers of a volunteer (identity-hashed)."""

    id: UUID
    township: int
    weight: float
    cover: list[tuple[date, date]]
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    hours: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    touched: bool = False  # corrected or reversed: tracked figures no longer exact
    awards: int = 0  # award entries in the ledger (re-awards included), and reversed ones
    reversed: int = 0
    standing: Decimal = Decimal(0)  # points of the awards not reversed

    def insured_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.cover)

    def free(self, interval: Interval) -> bool:
        return all(not (s < interval.end and interval.start < e) for s, e in self.busy)


@dataclass(frozen=True, slots=True)
class _Plan:
    day: date
    code: str
    team: int  # 0 is the banner team, t + 1 the team of township t
    township: int
    cancel: bool


@dataclass(slots=True)
class _Seat:
    person: _Person
    interval: Interval
    source: HoursSource
    signed_up: bool


@dataclass(slots=True)
class _Candidate:
    activity_id: UUID
    person: _Person
    interval: Interval
    award: AwardResult


@dataclass
class _Counts:
    verified: int = 0
    awards: int = 0
    points: Decimal = Decimal(0)
    reversals: int = 0
    flags: int = 0
    refused: int = 0
    cancelled: int = 0
    corrections: int = 0
    redemptions: int = 0
    trainings: int = 0
    certifications: int = 0
    commendations: int = 0


class _Year:
    def __init__(
        self,
        ledger: VolunteerLedger,
        *,
        year: int,
        seed: int,
        townships: int,
        progress: Progress | None,
    ) -> None:
        self.ledger = ledger
        self.year = year
        self.seed = seed
        self.rng = random.Random(seed)
        self.towns = TOWNSHIPS[:townships]
        self.progress = progress or (lambda stage, done, total: None)
        self.office = Actor("bureau-office", Role.ADMIN)
        self.verifier = Actor("bureau-verifier", Role.ADMIN)
        self.staff = [Actor(f"staff-{slug}", Role.STATION_STAFF) for _, slug, _ in self.towns]
        self.banner_staff = Actor("staff-banner", Role.STATION_STAFF)
        self.requests = 0
        self.n = _Counts()
        self.people: list[_Person] = []
        self.team_ids: list[UUID] = []
        self.centre_id: UUID | None = None
        self.station_ids: list[UUID] = []  # township t's station
        self.village_ids: list[list[UUID]] = []  # township t's village stations
        self.pools: list[tuple[list[_Person], list[float]]] = []
        self.candidates: list[_Candidate] = []
        self.seen_awards = 0
        self.ids: set[str] = set()
        self.library = DemoLibrary(ledger, self.actor, self.office, self.staff)

    def actor(self, who: Actor) -> Actor:
        """Each call is its own request, with a correlation id an auditor can follow."""
        self.requests += 1
        return replace(who, correlation_id=f"demo-{self.seed}-{self.requests}")

    # ------------------------------------------------------------------ people and teams

    def register_stations(self) -> None:
        """The banner's service centre, a station per township and its village stations."""
        office, ledger = self.office, self.ledger
        self.centre_id = ledger.register_station(
            name=BANNER_STATION,
            level=StationLevel.BANNER_CENTRE,
            township="",
            parent_id=None,
            actor=self.actor(office),
        ).id
        for name, _, villages in self.towns:
            station = ledger.register_station(
                name=f"{name}退役军人服务站",
                level=StationLevel.TOWNSHIP,
                township=name,
                parent_id=None,
                actor=self.actor(office),
            ).id
            self.station_ids.append(station)
            self.village_ids.append(
                [
                    ledger.register_station(
                        name=f"{name}{village}退役军人服务站",
                        level=StationLevel.VILLAGE,
                        township=name,
                        parent_id=station,
                        actor=self.actor(office),
                    ).id
                    for village in villages
                ]
            )

    def form_teams(self) -> None:
        office = self.office
        assert self.centre_id is not None, "stations are registered first"
        banner = self.ledger.form_team(
            name=BANNER_TEAM,
            level=TeamLevel.BANNER,
            township="",
            station_id=self.centre_id,
            actor=self.actor(office),
        )
        self.team_ids.append(banner.id)
        for t, (name, _, _) in enumerate(self.towns):
            team = self.ledger.form_team(
                name=f"{BRAND}{name}退役军人志愿服务队",
                level=TeamLevel.TOWNSHIP,
                township=name,
                station_id=self.station_ids[t],
                actor=self.actor(office),
            )
            self.team_ids.append(team.id)

    def station_for(self, plan: _Plan) -> UUID:
        """The banner team serves from the service centre; a township team from its
        township's station, or (every third day) one of its village stations. Chosen
        without the random generator, so the rest of the year is drawn as before."""
        if plan.team == 0:
            assert self.centre_id is not None
            return self.centre_id
        villages = self.village_ids[plan.township]
        ordinal = plan.day.toordinal()
        if villages and ordinal % 3 == 0:
            return villages[ordinal // 3 % len(villages)]
        return self.station_ids[plan.township]

    def national_id(self, birth: date, male: bool) -> str:
        rng = self.rng
        while True:
            area = HOME_AREA if rng.random() < 0.75 else rng.choice(OTHER_AREAS)
            seq = rng.randrange(0, 50) * 2 + (1 if male else 0)
            first17 = f"{area}{birth:%Y%m%d}{rng.randrange(10)}{seq:02d}"
            number = first17 + national_id_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def register(self, index: int) -> _Person:
        rng = self.rng
        town = index % len(self.towns)
        kind = rng.choices(list(PERSON_TYPES), list(PERSON_TYPES.values()))[0]
        veteran = kind in (PersonType.VETERAN, PersonType.DEMOBILIZED_VETERAN)
        male = rng.random() < (0.93 if veteran or kind is PersonType.DISABLED_VETERAN else 0.45)
        first = 1940 if kind is PersonType.DEMOBILIZED_VETERAN else 1948
        last = 1956 if kind is PersonType.DEMOBILIZED_VETERAN else 1995
        birth = date(rng.randint(first, last), 1, 1) + timedelta(days=rng.randrange(365))
        if rng.random() < 0.4:
            name = rng.choice(MONGOL_MALE if male else MONGOL_FEMALE)
        else:
            name = rng.choice(SURNAMES) + rng.choice(HAN_MALE if male else HAN_FEMALE)
        staff = self.actor(self.staff[town])
        recorded = self.ledger.register_volunteer(
            name=name,
            national_id=self.national_id(birth, male),
            phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            person_type=kind,
            township=self.towns[town][0],
            skills=rng.sample(SKILLS, rng.randint(1, 3)),
            actor=staff,
        )
        person = _Person(recorded.id, town, min(rng.paretovariate(1.4), 12.0), [])
        self.insure(person, index)
        return person

    def insure(self, person: _Person, index: int) -> None:
        """Group cover for the year for most; a few uncovered, a few covered for part of it."""
        rng, y = self.rng, self.year
        roll = rng.random()
        jan1, dec31 = date(y, 1, 1), date(y, 12, 31)
        group = f"PICC-{y}-TT{person.township + 1:02d}-GRP"
        if roll < 0.025:
            return  # never insured this year
        if roll < 0.045:
            periods = [(group, InsuranceKind.GROUP, date(y, rng.randint(3, 6), 1), dec31)]
        elif roll < 0.065:
            periods = [(group, InsuranceKind.GROUP, jan1, date(y, rng.randint(6, 9), 30))]
        elif roll < 0.09:
            middle = date(y, 6, 30)
            own = f"GSC-{y}-{index + 1:05d}"
            periods = [(group, InsuranceKind.GROUP, jan1, middle)]
            periods.append((own, InsuranceKind.INDIVIDUAL, middle + timedelta(days=1), dec31))
        else:
            periods = [(group, InsuranceKind.GROUP, jan1, dec31)]
        for number, kind, start, end in periods:
            self.ledger.record_insurance(
                person.id,
                policy_number=number,
                insurer=GROUP_INSURER if kind is InsuranceKind.GROUP else OWN_INSURER,
                kind=kind,
                covers_from=start,
                covers_to=end,
                sum_insured=Decimal(100000 if kind is InsuranceKind.GROUP else 200000),
                actor=self.actor(self.office),
            )
            person.cover.append((start, end))

    def enrol_all(self) -> None:
        """Everyone joins their township team; a tenth also join the banner team."""
        banner: list[_Person] = []
        for t in range(len(self.towns)):
            members = sorted((p for p in self.people if p.township == t), key=lambda p: -p.weight)
            team_id = self.team_ids[t + 1]
            for rank, person in enumerate(members):
                role = MemberRole.DEPUTY if rank == 1 else MemberRole.MEMBER
                self.ledger.enrol_member(
                    team_id, volunteer_id=person.id, role=role, actor=self.actor(self.office)
                )
                if rank < 2:
                    person.weight *= 2
                if rank < 2 or self.rng.random() < 0.08:
                    banner.append(person)
            self.ledger.appoint_leader(
                team_id, volunteer_id=members[0].id, actor=self.actor(self.office)
            )
        for person in banner:
            self.ledger.enrol_member(
                self.team_ids[0],
                volunteer_id=person.id,
                role=MemberRole.MEMBER,
                actor=self.actor(self.office),
            )
        self.ledger.appoint_leader(
            self.team_ids[0], volunteer_id=banner[0].id, actor=self.actor(self.office)
        )
        for t in range(len(self.towns)):
            own = [p for p in self.people if p.township == t]
            self.pools.append(_pool(own))
            self.pools.append(_pool(own + [p for p in banner if p.township != t]))

    # ------------------------------------------------------------------ the year's plan

    def plan_year(self, activities: int) -> list[_Plan]:
        rng, y = self.rng, self.year
        codes = list(self.ledger.rulebook.latest.categories)
        chosen = codes[:activities] + rng.choices(codes, k=max(0, activities - len(codes)))
        cancel = set(rng.sample(range(activities), min(activities // 3, max(2, activities // 100))))
        plans = []
        for i, code in enumerate(chosen):
            theme = _theme(code)
            month = rng.choices(range(1, 13), theme.months)[0]
            first, last = theme.days
            day = date(y, month, rng.randint(first, last))
            town = rng.randrange(len(self.towns))
            team = 0 if rng.random() < 0.15 else town + 1
            plans.append(_Plan(day, code, team, town, i in cancel and code != "exam_support"))
        plans.sort(key=lambda p: p.day)
        return plans

    def window(self, plan: _Plan) -> Interval:
        rng, shape = self.rng, _theme(plan.code).shape
        day = datetime(plan.day.year, plan.day.month, plan.day.day, tzinfo=TZ)
        if shape == "multi":
            days = 3 if plan.code == "exam_support" else rng.randint(2, 5)
            days = min(days, (date(plan.day.year, 12, 31) - plan.day).days + 1)
            return Interval(day + timedelta(hours=7), day + timedelta(days=days - 1, hours=19))
        if shape == "long":
            start = day + timedelta(hours=rng.randint(6, 12))
            return Interval(start, start + timedelta(hours=rng.randint(6, 11)))
        if shape == "day":
            start = day + timedelta(hours=8, minutes=rng.choice((0, 30)))
            return Interval(start, start + timedelta(hours=rng.choice((7, 8, 8.5, 9))))
        start = day + timedelta(hours=rng.choice((8.5, 9, 9.5, 14.5, 15)))
        return Interval(start, start + timedelta(hours=rng.choice((2, 2.5, 3, 3.5, 4))))

    def shift(self, window: Interval) -> Interval:
        """One participant's hours, inside the window: some arrive late or leave early."""
        rng, minutes = self.rng, timedelta(minutes=1)
        if window.duration > timedelta(hours=14):  # a multi-day window: one shift on one day
            days = window.duration.days + 1
            day = window.start.replace(hour=0) + timedelta(days=rng.randrange(days))
            begin, hours = rng.choice(((8, 4), (8.5, 8), (13, 5), (14, 4.5)))
            start = day + timedelta(hours=begin)
            return Interval(
                start, start + timedelta(hours=hours) - rng.choice((0, 0, 10)) * minutes
            )
        start = window.start + rng.choice((0, 0, 0, 5, 10, 20)) * minutes
        end = window.end - rng.choice((0, 0, 0, 0, 5, 15, 30)) * minutes
        if rng.random() < 0.12:
            end = start + (end - start) * rng.uniform(0.4, 0.8)
            end = end.replace(minute=end.minute - end.minute % 5, second=0, microsecond=0)
        return Interval(start, max(end, start + 30 * minutes))

    # ------------------------------------------------------------------ one activity

    def run(self, plan: _Plan) -> None:
        rng, ledger = self.rng, self.ledger
        staff = self.banner_staff if plan.team == 0 else self.staff[plan.township]
        town = self.towns[plan.township][0]
        theme = _theme(plan.code)
        village = rng.choice(VILLAGES)
        window = self.window(plan)
        seats = self.choose(plan, window)
        withdrawals = rng.choices(self.pools[2 * plan.township][0], k=rng.choice((0, 0, 0, 1, 2)))
        withdrawals = [p for p in dict.fromkeys(withdrawals) if p not in {s.person for s in seats}]
        beneficiaries = list(theme.beneficiaries)
        activity = ledger.plan_activity(
            title=rng.choice(theme.titles).format(t=town, v=village),
            category=Category(plan.code),
            team_id=self.team_ids[plan.team],
            township=town,
            station_id=self.station_for(plan),
            location=f"{town}{village}{'社区' if town.endswith('镇') else '嘎查'}",
            window=window,
            beneficiary_types=beneficiaries,
            capacity=len(seats) + len(withdrawals) + rng.randint(0, 8),
            actor=self.actor(staff),
            project_id=self.library.project_for(plan.team, plan.code),
        ).id
        ledger.publish_activity(activity, actor=self.actor(staff))
        for person in [s.person for s in seats if s.signed_up] + withdrawals:
            ledger.sign_up(activity, volunteer_id=person.id, actor=self.actor(staff))
        for person in withdrawals:
            reason = rng.choice(("家中有事，无法参加", "身体不适", "临时外出放牧"))
            ledger.withdraw_signup(
                activity, volunteer_id=person.id, reason=reason, actor=self.actor(staff)
            )
        if plan.cancel:
            reason = rng.choice(("受暴雪天气影响，活动取消", "按疫情防控要求暂停聚集性活动"))
            ledger.cancel_activity(activity, reason=reason, actor=self.actor(staff))
            self.n.cancelled += 1
            return
        rejects, flags = self.insurance_rule(plan)
        backfill = [s for s in seats if s.source is HoursSource.BACKFILL]
        live = [s for s in seats if s.source is not HoursSource.BACKFILL]
        served: dict[UUID, _Seat] = {}
        if rng.random() < 0.35:  # a bulk sign-in sheet, of those the station knows are insured
            sheet = [s for s in live if not (rejects and not _insured(s))]
            if sheet:
                rows = [HoursRow(s.person.id, s.interval, HoursSource.CHECKIN) for s in sheet]
                ledger.record_hours_bulk(activity, rows=rows, actor=self.actor(staff))
                for seat in sheet:
                    seat.person.busy.append((seat.interval.start, seat.interval.end))
                    served[seat.person.id] = seat
            live = [s for s in live if s.person.id not in served]
        for seat in live:
            if self.hours(activity, seat, staff, can_withdraw=True):
                served[seat.person.id] = seat
        self.outcomes(activity, window, beneficiaries, staff)
        ledger.complete_activity(activity, actor=self.actor(staff))
        for seat in backfill:
            if self.hours(activity, seat, staff, can_withdraw=False):
                served[seat.person.id] = seat
        if plan.day > date(self.year, 12, 24):
            return  # the year-end backlog: completed, awaiting verification
        self.verify(activity, plan, served, flags)
        self.library.served(self.library.project_for(plan.team, plan.code), activity)

    def choose(self, plan: _Plan, window: Interval) -> list[_Seat]:
        """Participants drawn by weight from the team's pool, never double-booked."""
        rng = self.rng
        people, cum = self.pools[2 * plan.township + (plan.team == 0)]
        low, high = {"half": (4, 14), "day": (6, 18), "long": (8, 24), "multi": (10, 28)}[
            _theme(plan.code).shape
        ]
        wanted = min(rng.randint(low, high), max(1, len(people) // 2))
        horizon = window.start - timedelta(days=1)
        seats: dict[UUID, _Seat] = {}
        for _ in range(wanted * 4):
            if len(seats) >= wanted:
                break
            person = people[bisect(cum, rng.random() * cum[-1])]
            if person.id in seats:
                continue
            person.busy = [b for b in person.busy if b[1] > horizon]
            interval = self.shift(window)
            if not person.free(interval):
                continue
            roll = rng.random()
            source = HoursSource.CHECKIN if roll < 0.72 else HoursSource.ORGANISER
            source = HoursSource.BACKFILL if roll > 0.97 else source
            signed = source is HoursSource.BACKFILL or rng.random() < 0.7
            seats[person.id] = _Seat(person, interval, source, signed)
        return list(seats.values())

    def insurance_rule(self, plan: _Plan) -> tuple[bool, bool]:
        """Whether the rulebook rejects, or records and flags, an uninsured participant here."""
        rule = self.ledger.rules_on(plan.day).category(Category(plan.code))
        if not rule.insurance_required:
            return False, False
        rejects = rule.on_missing_insurance is MissingInsurance.REJECT
        return rejects, not rejects

    def hours(self, activity: UUID, seat: _Seat, staff: Actor, *, can_withdraw: bool) -> bool:
        """Record one participant's hours; False when refused for want of insurance."""
        try:
            self.ledger.record_hours(
                activity,
                volunteer_id=seat.person.id,
                interval=seat.interval,
                source=seat.source,
                actor=self.actor(staff),
            )
        except DomainError as e:
            if e.rule != "insurance-required":
                raise
            self.n.refused += 1
            if can_withdraw and seat.signed_up:
                self.ledger.withdraw_signup(
                    activity,
                    volunteer_id=seat.person.id,
                    reason="未在意外保险有效期内，不能参加服务",
                    actor=self.actor(staff),
                )
            return False
        seat.person.busy.append((seat.interval.start, seat.interval.end))
        return True

    def outcomes(
        self,
        activity: UUID,
        window: Interval,
        kinds: list[BeneficiaryType],
        staff: Actor,
    ) -> None:
        rng, ledger = self.rng, self.ledger
        counts = {
            kind: rng.randint(3, 40) if kind is BeneficiaryType.PUBLIC else rng.randint(1, 12)
            for kind in kinds
        }
        ledger.record_beneficiaries(activity, counts=counts, actor=self.actor(staff))
        ended = window.local_end_date(ledger.rulebook.latest.utc_offset)
        for n in range(rng.randint(1, 3)):
            score = rng.choices((5, 4, 3), (55, 35, 10))[0]
            # Each rating names its rater (one of the people served, by type and household)
            # and is given within days of the activity, as the office collects them.
            kind = kinds[n % len(kinds)] if kinds else BeneficiaryType.PUBLIC
            ledger.record_feedback(
                activity,
                satisfaction=score,
                comment=rng.choice(COMMENTS[score]),
                actor=self.actor(staff),
                rater=Rater(kind, f"{str(activity)[:8]}-{n + 1:02d}户"),
                given_on=ended + timedelta(days=n),
            )
        if rng.random() < 0.35:
            level = rng.choices(list(MediaLevel), MEDIA_WEIGHTS)[0]
            published = window.start.date() + timedelta(days=rng.randint(0, 3))
            ledger.record_media(
                activity,
                outlet=rng.choice(OUTLETS[level]),
                level=level,
                url=f"https://media.example.cn/{level.value}/{published:%Y%m%d}/{self.requests}",
                published_on=published,
                actor=self.actor(staff),
            )

    def verify(self, activity: UUID, plan: _Plan, served: dict[UUID, _Seat], flags: bool) -> None:
        """Four-eyes: the bureau verifies what the station recorded; points are awarded."""
        result = self.ledger.verify_activity(activity, actor=self.actor(self.verifier))
        self.n.verified += 1
        # An earlier shift verified after a later one the same day credits the later one
        # again (the day's cap in the order served): read what the ledgers now hold, in one
        # query for the activity's participants.
        held = self.ledger.load_many(Volunteer, (a.volunteer_id for a in result.awards))
        for award in result.awards:
            seat = served[award.volunteer_id]
            self.settle(seat.person, held[award.volunteer_id])
            if flags and not _insured(seat):
                self.n.flags += 1
            self.sample(_Candidate(activity, seat.person, seat.interval, award))

    def settle(self, person: _Person, held: Volunteer | None = None) -> None:
        """Count what the volunteer's ledger gained since last settled: awards, reversals and
        standing points (an earlier shift verified after a later one the same day credits
        the later one again, the day's cap applied in the order served)."""
        if held is None:
            held = self.ledger.load(Volunteer, person.id, read_only=True)
        awards = len(held.awards)
        reversed_ = sum(a.reversed for a in held.awards.values())
        standing = sum((a.points for a in held.awards.values() if not a.reversed), Decimal(0))
        self.n.awards += awards - person.awards
        self.n.reversals += reversed_ - person.reversed
        self.n.points += standing - person.standing
        person.awards, person.reversed, person.standing = awards, reversed_, standing
        person.hours, person.balance = held.credited_hours, held.balance

    def still_standing(self, candidate: _Candidate) -> bool:
        held = self.ledger.load(Volunteer, candidate.person.id, read_only=True)
        return not held.awards[candidate.award.entry_id].reversed

    def sample(self, candidate: _Candidate) -> None:
        """Keep a small uniform sample of awards (reservoir) for year-end corrections."""
        self.seen_awards += 1
        if candidate.award.hours < 2:
            return
        if len(self.candidates) < 12:
            self.candidates.append(candidate)
        else:
            slot = self.rng.randrange(self.seen_awards)
            if slot < 12:
                self.candidates[slot] = candidate

    # ------------------------------------------------------------------ training

    def train(self, person: _Person, course: str, hours: str, day: date) -> None:
        staff = self.staff[person.township]
        self.ledger.complete_training(
            person.id,
            course=course,
            hours=Decimal(hours),
            completed_on=day,
            actor=self.actor(staff),
        )
        person.balance += training_points(Decimal(hours), self.ledger.rules_on(day))
        self.n.trainings += 1

    # ------------------------------------------------------------------ the year's end

    def commend_candidates(self) -> None:
        """Commend only whom the rulebook version in force for the year makes a candidate
        (as the annual review re-checks it at the decision's basis position): up to three
        volunteers, most hours first, and the best-ranked team meeting the team criteria."""
        ledger = self.ledger
        rule = ledger.rulebook.for_year(self.year).commendation
        commended = 0
        for person in sorted(self.people, key=lambda p: (-p.hours, str(p.id))):
            if commended == 3:
                break
            holder: Volunteer = ledger.repository.get(person.id)
            served = ServiceYear.of(holder.awards.values(), self.year)
            if not served.qualifies(rule):
                continue
            ledger.commend_volunteer(
                person.id,
                title="优秀退役军人志愿者",
                period=str(self.year),
                basis_position=ledger.current_position(),
                reason=f"{self.year}年度累计志愿服务{served.hours}小时，"
                f"参加经核验的活动{served.activities}次",
                actor=self.actor(self.office),
            )
            commended += 1
            self.n.commendations += 1
        basis = ledger.current_position()
        store, _ = replay(ledger, [RankingProjection(ledger.rulebook)], upto=basis)
        teams = ReadModels(store, ledger.rulebook).team_eligibility(self.year)
        for team in (t for t in teams if t["commendation_candidate"]):
            ledger.commend_team(
                UUID(team["team_id"]),
                title="优秀志愿服务队",
                period=str(self.year),
                basis_position=basis,
                reason=f"{self.year}年度完成并核验志愿服务活动{team['activities']}次，"
                f"满意度{team['mean_satisfaction']}，综合排名第{team['rank']}",
                actor=self.actor(self.office),
            )
            self.n.commendations += 1
            break

    def year_end(self, activities: int) -> None:
        ledger, rng = self.ledger, self.rng
        wanted = min(2, max(1, activities // 150)), min(2, max(1, activities // 150))
        picked: list[_Candidate] = []
        for candidate in self.candidates:
            if all(c.person is not candidate.person for c in picked) and self.still_standing(
                candidate
            ):
                picked.append(candidate)
        for c in picked[: wanted[0]]:
            end = c.interval.end - timedelta(hours=1)
            proposed = ledger.correct_hours(
                c.activity_id,
                volunteer_id=c.person.id,
                interval=Interval(c.interval.start, end),
                reason="签退时间登记有误，按纸质签到表更正",
                actor=self.actor(self.staff[c.person.township]),
            )
            # A verified participation changes only when a second person approves.
            ledger.approve_correction(
                c.activity_id,
                correction_id=proposed.created["correction_id"],
                actor=self.actor(self.verifier),
            )
            self.n.corrections += 1
            points = self.n.points
            self.settle(c.person)
            # The correction's own award is counted among corrections, not verifications.
            self.n.awards -= 1
            self.n.points = points
            c.person.touched = True
        for c in picked[wanted[0] : sum(wanted)]:
            ledger.reverse_award(
                c.person.id,
                entry_id=c.award.entry_id,
                reason="经核查当日未实际到岗，撤销该次积分",
                actor=self.actor(self.verifier),
            )
            points = self.n.points
            self.settle(c.person)
            self.n.points = points
        self.progress("year-end", 1, 3)
        exact = [p for p in self.people if not p.touched]
        rules = ledger.rules_today()
        for person in exact:
            level = rules.star_level(person.hours)
            if level:
                basis = ledger.current_position()
                ledger.certify_star_level(
                    person.id,
                    level=level,
                    basis_position=basis,
                    service_year=self.year,
                    actor=self.actor(self.office),
                )
                self.n.certifications += 1
        self.progress("year-end", 2, 3)
        self.commend_candidates()
        # Courtesy benefits (礼遇) of the rulebook, for those whose tier includes them; about
        # half the vouchers are handed over by year end.
        rules = ledger.rules_today()
        savers = [p for p in exact if p.balance >= 20]
        for person in rng.sample(savers, min(len(savers), max(3, len(self.people) // 60))):
            holder: Volunteer = ledger.repository.get(person.id)
            offered = rules.benefits_for(rules.courtesy_tier(holder.lifetime_points))
            codes = sorted(c for c, b in offered.items() if b.points <= person.balance)
            if not codes:
                continue
            benefit = offered[rng.choice(codes)]
            recorded = ledger.redeem_points(
                person.id, benefit=benefit.code, actor=self.actor(self.office)
            )
            person.balance -= benefit.points
            self.n.redemptions += 1
            if rng.random() < 0.5:
                ledger.use_voucher(
                    person.id,
                    code=voucher_code(recorded.created["entry_id"]),
                    actor=self.actor(self.office),
                )
        self.progress("year-end", 3, 3)


def _theme(code: str) -> _Theme:
    generic = _Theme((f"{{t}}{code}",), (1,) * 12, (BeneficiaryType.PUBLIC,), "half")
    return THEMES.get(code, generic)


def _insured(seat: _Seat) -> bool:
    return seat.person.insured_on(seat.interval.start.date())


def _pool(people: Iterable[_Person]) -> tuple[list[_Person], list[float]]:
    members = list(dict.fromkeys(people))
    return members, list(accumulate(p.weight for p in members))


def generate_year(
    ledger: VolunteerLedger,
    *,
    year: int = 2022,
    seed: int = 7,
    townships: int = 6,
    volunteers: int = 300,
    activities: int = 240,
    progress: Progress | None = None,
) -> DemoSummary:
    """Record a realistic programme year into ``ledger`` and say what was recorded.

    Deterministic for a given seed and sizes. Needs at least two volunteers per township;
    ``townships`` is at most ``len(TOWNSHIPS)``. Memory stays modest at large sizes:
    only each volunteer's recent intervals are kept, to avoid double-booking.
    """
    if not 1 <= townships <= len(TOWNSHIPS):
        raise ValueError(f"townships must be from 1 to {len(TOWNSHIPS)}, not {townships}")
    if volunteers < 2 * townships:
        raise ValueError(f"volunteers ({volunteers}) must be at least 2 per township")
    if activities < 1:
        raise ValueError(f"activities must be at least 1, not {activities}")
    ledger.rules_on(date(year, 1, 1))  # a year no rulebook covers fails before recording
    began, first = time.perf_counter(), ledger.current_position()
    run = _Year(ledger, year=year, seed=seed, townships=townships, progress=progress)
    run.register_stations()
    run.form_teams()
    run.library.enter(
        [
            (name, [run.station_ids[t], *run.village_ids[t]])
            for t, (name, _, _) in enumerate(run.towns)
        ],
        run.team_ids,
    )
    for i in range(volunteers):
        run.people.append(run.register(i))
        if i % 25 == 0 or i == volunteers - 1:
            run.progress("volunteers", i + 1, volunteers)
    run.enrol_all()
    timeline: list[tuple[date, int, _Plan | tuple[_Person, str, str]]] = []
    for order, plan in enumerate(run.plan_year(activities)):
        timeline.append((plan.day, order, plan))
    for person in run.people:
        for course, hours in run.rng.sample(COURSES, run.rng.choices((0, 1, 2), (60, 30, 10))[0]):
            day = date(year, 1, 1) + timedelta(days=run.rng.randrange(360))
            timeline.append((day, len(timeline), (person, course, hours)))
    timeline.sort(key=lambda item: (item[0], item[1]))
    done = 0
    for day, _, item in timeline:
        if isinstance(item, _Plan):
            run.run(item)
            done += 1
            run.progress("year", done, activities)
        else:
            run.train(*item, day)
    run.library.settle()
    run.year_end(activities)
    last = ledger.current_position()
    n = run.n
    return DemoSummary(
        events=last - first,
        volunteers=volunteers,
        teams=len(run.team_ids),
        activities=activities,
        verified=n.verified,
        awards=n.awards,
        points_awarded=n.points,
        reversals=n.reversals,
        uninsured_flags=n.flags,
        rejected_uninsured=n.refused,
        elapsed_seconds=time.perf_counter() - began,
        cancelled=n.cancelled,
        corrections=n.corrections,
        redemptions=n.redemptions,
        trainings=n.trainings,
        star_certifications=n.certifications,
        commendations=n.commendations,
        last_position=last,
        needs=len(run.library.needs) + run.library.waiting,
        needs_met=run.library.met,
        projects=len(run.library.projects),
    )
