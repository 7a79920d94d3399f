"""The directory's registers without a row per participant, for the annual review's replay.

The review replays the whole log in memory and needs to know what each activity was
(title, category, township, station, team, whom it served) and who each volunteer is
(township, teams); it never reads sign-ups, attendance, corrections or ratings, and those
events, with the awards, are most of a long log. Subclassing the directory keeps one
handler per register row: the rows it writes are the directory's, by the same code.
"""

from __future__ import annotations

from typing import Any

from application.readmodel.projections.directory import DirectoryProjection
from application.readmodel.tables import ACTIVITY, STATION, TEAM, TEAM_MEMBER, VOLUNTEER
from domain.activity import ServiceActivity
from domain.volunteer import Volunteer

# Events about one participant of an activity (and the award's link to it).
PARTICIPANT_EVENTS: frozenset[type[Any]] = frozenset(
    {
        ServiceActivity.VolunteerSignedUp,
        ServiceActivity.VolunteerWithdrew,
        ServiceActivity.HoursRecorded,
        ServiceActivity.AttendanceCorrected,
        ServiceActivity.CorrectionProposed,
        ServiceActivity.CorrectionApproved,
        ServiceActivity.CorrectionRejected,
        ServiceActivity.FeedbackRecorded,
        Volunteer.PointsAwarded,
    }
)


class RegistersProjection(DirectoryProjection):
    """Stations, teams and their members, volunteers and activities as the directory keeps
    them, except that an activity's sign-up, participant and rating counts stay at zero."""

    name = "registers"
    tables = (TEAM, TEAM_MEMBER, VOLUNTEER, ACTIVITY, STATION)  # type: ignore[assignment]
    ignored = DirectoryProjection.ignored | PARTICIPANT_EVENTS
