"""The demo's vocabulary: 乌审旗's townships and villages, names, skills, insurers,
courses, comments, outlets and the activity themes by category and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from domain.values import (
    BeneficiaryType,
    InsuranceKind,
    MediaLevel,
    PersonType,
)

TZ = timezone(timedelta(hours=8))


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# 乌审旗 (鄂尔多斯市, area code 150626): its five towns and one sumu, each with its
# station "<township>退役军人服务站"; (township name, user-id slug, its village stations).
TOWNSHIPS = (
    ("嘎鲁图镇", "galutu", words("萨如拉图雅嘎查 呼和陶勒盖嘎查")),
    ("乌审召镇", "wushenzhao", words("巴音敖包嘎查 乌审召嘎查")),
    ("图克镇", "tuke", words("梅林庙嘎查")),
    ("乌兰陶勒盖镇", "wulantaolegai", words("巴音布日都嘎查")),
    ("无定河镇", "wudinghe", words("排子湾村")),
    ("苏力德苏木", "sulide", words("沙尔利格嘎查")),
)
BANNER = "乌审旗"
BRAND = "绿色乌审·2781"  # the plan's brand for the banner's volunteer teams
BANNER_TEAM = f"{BRAND}退役军人志愿服务总队"
BANNER_STATION = f"{BANNER}退役军人服务中心"
VILLAGES = words(
    "巴音温都尔 萨如拉图雅 呼和陶勒盖 巴音敖包 梅林庙 查汗庙 巴音布日都 沙尔利格 陶利 纳林河"
)


def place_kind(town: str) -> str:
    """A town's (镇) villages are communities (社区), a sumu's (苏木) are gachas (嘎查)."""
    return "社区" if town.endswith("镇") else "嘎查"


HOME_AREA = "150626"  # the national id's area code: most were born in the banner
# the rest elsewhere in 鄂尔多斯 (东胜, 康巴什, 达拉特, 准格尔, 鄂托克前旗, 鄂托克, 杭锦,
# 伊金霍洛), in 呼和浩特, or across the river in 榆林 (榆阳区)
OTHER_AREAS = words("150602 150603 150621 150622 150623 150624 150625 150627 150102 610802")
SURNAMES = "王李张刘赵杨高郭孙马白韩吴陈邢郝杜贾田任武乔闫石梁冯包宝"
HAN_MALE = words(
    "建国 国庆 卫东 建军 志强 永刚 海军 振华 保国 立新 文斌 海龙 俊峰 晓东 鹏 磊 强 伟 军 勇 涛"
)
HAN_FEMALE = words("秀英 桂兰 玉梅 淑珍 丽 静 敏 艳 红梅 晓燕 丽娜 芳")
MONGOL_MALE = words(
    "巴特尔 乌力吉 额尔敦 孟和 苏和 朝鲁 宝音 那日苏 阿拉坦仓 吉日嘎拉 满都拉 特木尔 毕力格 巴雅尔 图门"
)
MONGOL_FEMALE = words("其木格 斯琴 萨仁 图雅 乌云 娜仁 高娃 托娅 塔娜 萨日娜")
# Given names by sex (True: male): the Mongolian names, then the Han given names.
GIVEN_NAMES = {True: (MONGOL_MALE, HAN_MALE), False: (MONGOL_FEMALE, HAN_FEMALE)}
SKILLS = words(
    "急救 驾驶 理发 电工 家电维修 医疗护理 心理咨询 法律咨询 农机维修 蒙汉双语 摄影 厨艺 种植养殖 消防"
)
PHONE_PREFIXES = words(
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
# Veterans (the disabled and demobilised too) are mostly men; of the rest, 45 in 100.
MALE_SHARE = {
    PersonType.VETERAN: 0.93,
    PersonType.DEMOBILIZED_VETERAN: 0.93,
    PersonType.DISABLED_VETERAN: 0.93,
}
GROUP_INSURER = "中国人民财产保险股份有限公司鄂尔多斯市分公司"
OWN_INSURER = "中国人寿保险股份有限公司鄂尔多斯分公司"
# The insurer and sum insured of each kind of policy.
POLICY_TERMS = {
    InsuranceKind.GROUP: (GROUP_INSURER, 100000),
    InsuranceKind.INDIVIDUAL: (OWN_INSURER, 200000),
}
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
class Theme:
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


def _parse_themes(table: str) -> dict[str, Theme]:
    rows = [line.strip() for line in table.strip().splitlines()]
    return dict(
        _parse_theme(head, titles) for head, titles in zip(rows[::2], rows[1::2], strict=True)
    )


def _parse_theme(head: str, titles: str) -> tuple[str, Theme]:
    """One category's two lines: its code and theme."""
    code, shape, when, *served = head.split()
    months, _, days = when.partition("@")
    first, _, last = (days or "1-28").partition("-")
    return code, Theme(
        titles=tuple(titles.split("|")),
        months=tuple(map(int, months)),
        beneficiaries=tuple(BeneficiaryType(kind) for kind in served),
        shape=shape,
        days=(int(first), int(last)),
    )


THEMES = _parse_themes(THEME_TABLE)


def theme_of(code: str) -> Theme:
    generic = Theme((f"{{t}}{code}",), (1,) * 12, (BeneficiaryType.PUBLIC,), "half")
    return THEMES.get(code, generic)
