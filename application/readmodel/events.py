"""Our aggregates' event types: all of them, and the groups projections decide about together."""

from __future__ import annotations

from functools import cache
from typing import Any

from domain.activity import ServiceActivity
from domain.need import Need
from domain.project import Project
from domain.registry import NationalIdClaim
from domain.seal import ChainSeal
from domain.station import Station
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer

PREFIX = "volunteer-ledger:"


@cache
def full_event_topics() -> frozenset[str]:
    """``event_topics`` in full form, as events carry them (``volunteer-ledger:…``)."""
    return frozenset(PREFIX + t for t in event_topics())


def event_types() -> frozenset[type[Any]]:
    """Every event class our aggregates can record."""
    return frozenset(event_classes().values())


def event_topics() -> frozenset[str]:
    """Every event topic our aggregates can record (short form, e.g. ``Volunteer.PointsAwarded``)."""
    return frozenset(event_classes())


@cache
def event_classes() -> dict[str, type[Any]]:
    """Each event class of our aggregates, by its short topic."""
    found = {}
    for aggregate in (
        Volunteer,
        ServiceActivity,
        VolunteerTeam,
        Station,
        ChainSeal,
        NationalIdClaim,
        Need,
        Project,
    ):
        found.update(_events_of(aggregate))
    return found


def _events_of(aggregate: type[Any]) -> dict[str, type[Any]]:
    """The event classes ``aggregate`` defines, by short topic (not the library's own
    ``Created`` and ``Event`` bases)."""
    found = {}
    for name, value in vars(aggregate).items():
        topic = getattr(value, "TOPIC", None)
        if isinstance(value, type) and topic and name not in {"Created", "Event"}:
            found[topic.removeprefix(PREFIX)] = value
    return found


# The groups below name each event class one by one (not "every event of the aggregate"), so
# that a new event type belongs to no group until someone says which: until then every
# projection fails tests/unit/test_projection_topics.py rather than skip it silently.
# (mypy cannot see the classes that the aggregates' ``@event`` methods make when the class
# is made: pyproject.toml lets this module name them as attributes.)
TEAM_EVENTS: frozenset[type[Any]] = frozenset(
    {
        VolunteerTeam.Formed,
        VolunteerTeam.MemberEnrolled,
        VolunteerTeam.MemberLeft,
        VolunteerTeam.LeaderAppointed,
        VolunteerTeam.Commended,
        VolunteerTeam.Dissolved,
    }
)
ACTIVITY_EVENTS: frozenset[type[Any]] = frozenset(
    {
        ServiceActivity.Planned,
        ServiceActivity.Published,
        ServiceActivity.VolunteerSignedUp,
        ServiceActivity.VolunteerWithdrew,
        ServiceActivity.HoursRecorded,
        ServiceActivity.AttendanceCorrected,
        ServiceActivity.BeneficiariesServed,
        ServiceActivity.FeedbackRecorded,
        ServiceActivity.MediaCoverageRecorded,
        ServiceActivity.Completed,
        ServiceActivity.Verified,
        ServiceActivity.Cancelled,
        ServiceActivity.CorrectionProposed,
        ServiceActivity.CorrectionApproved,
        ServiceActivity.CorrectionRejected,
    }
)
VOLUNTEER_STATUS_EVENTS: frozenset[type[Any]] = frozenset(
    {Volunteer.Suspended, Volunteer.Reinstated, Volunteer.Withdrawn}
)
DECISION_EVENTS: frozenset[type[Any]] = frozenset(
    {
        Volunteer.StarLevelCertified,
        Volunteer.CommendationGranted,
        Volunteer.CommendationRevoked,
    }
)
STATION_EVENTS: frozenset[type[Any]] = frozenset(
    {Station.Registered, Station.Renamed, Station.Closed}
)
# Needs and the project library: only their own projection (and the audit trail) reads them.
NEED_EVENTS: frozenset[type[Any]] = frozenset(
    {
        Need.Raised,
        Need.Met,
        Need.Declined,
        Project.Drafted,
        Project.Activated,
        Project.Closed,
    }
)
INSURANCE_EVENTS: frozenset[type[Any]] = frozenset(
    {Volunteer.InsuranceRecorded, Volunteer.InsuranceCancelled}
)
# A courtesy voucher handed over: only the vouchers read model (and the trail) reads it.
VOUCHER_EVENTS: frozenset[type[Any]] = frozenset({Volunteer.VoucherUsed})
# Seals of the hash chain (facts about the log itself), claims on national ids (the
# volunteer's own registration says the rest) and the note naming why a day's awards were
# credited again (the reversals and awards themselves carry the figures): no read model but
# the audit trail needs them.
AUDIT_EVENTS: frozenset[type[Any]] = frozenset(
    {ChainSeal.Sealed, NationalIdClaim.Claimed, Volunteer.AwardsResequenced}
)
