"""The closed vocabularies the ledger records: roles, statuses, kinds and levels."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    """What a user may do: see API.md for the scopes."""

    ADMIN = "admin"
    STATION_STAFF = "station_staff"
    TEAM_LEADER = "team_leader"
    AUDITOR = "auditor"
    SYSTEM = "system"


class TeamLevel(Enum):
    BANNER = "banner"
    TOWNSHIP = "township"


class MemberRole(Enum):
    MEMBER = "member"
    LEADER = "leader"
    DEPUTY = "deputy"


class PersonType(Enum):
    """Who a volunteer is: most are veterans, some are family members or the public."""

    VETERAN = "veteran"
    DEMOBILIZED_VETERAN = "demobilized_veteran"
    DISABLED_VETERAN = "disabled_veteran"
    MILITARY_FAMILY = "military_family"
    MARTYR_FAMILY = "martyr_family"
    PUBLIC = "public"


class BeneficiaryType(Enum):
    """优抚对象 / 服务对象: the people an activity serves."""

    MARTYR_FAMILY = "martyr_family"
    MILITARY_FAMILY = "military_family"
    VETERAN = "veteran"
    DEMOBILIZED_VETERAN = "demobilized_veteran"
    DISABLED_VETERAN = "disabled_veteran"
    PUBLIC = "public"


class HoursSource(Enum):
    CHECKIN = "checkin"
    ORGANISER = "organiser"
    BACKFILL = "backfill"


class MediaLevel(Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    BANNER = "banner"
    ONLINE = "online"


class InsuranceKind(Enum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class VolunteerStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class ActivityStatus(Enum):
    PLANNED = "planned"
    PUBLISHED = "published"
    COMPLETED = "completed"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class StationLevel(Enum):
    """退役军人服务站: the banner's service centre, a township's station, a village's station."""

    BANNER_CENTRE = "banner_centre"
    TOWNSHIP = "township"
    VILLAGE = "village"
