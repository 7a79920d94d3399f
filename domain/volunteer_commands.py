"""What a volunteer may be asked to do, each command decided in the module of its concern:

- ``volunteer_status``: registration, the profile; active, suspended or withdrawn;
- ``volunteer_cover``: training completed and accident insurance held;
- ``volunteer_points``: awards (never overlapping, the daily cap in the order served) and
  their reversals;
- ``volunteer_redemption``: courtesy benefits and the vouchers they issue;
- ``volunteer_recognition``: certified star levels and commendations.

The commands are functions taking the volunteer as ``self``; bound here they are the
:class:`~domain.volunteer.Volunteer`'s methods. The events they record are applied in
``domain.volunteer``.
"""

from __future__ import annotations

from domain import (
    volunteer_cover,
    volunteer_points,
    volunteer_recognition,
    volunteer_redemption,
    volunteer_status,
)


class VolunteerCommands:
    """The Volunteer's commands and the queries they share, by concern."""

    _require_not_withdrawn = volunteer_status._require_not_withdrawn
    require_active = volunteer_status.require_active
    update_profile = volunteer_status.update_profile
    suspend = volunteer_status.suspend
    reinstate = volunteer_status.reinstate
    withdraw = volunteer_status.withdraw

    complete_training = volunteer_cover.complete_training
    record_insurance = volunteer_cover.record_insurance
    cancel_insurance = volunteer_cover.cancel_insurance
    cover_on = volunteer_cover.cover_on
    check_insured = volunteer_cover.check_insured

    credited_on = volunteer_points.credited_on
    credited_hours_through = volunteer_points.credited_hours_through
    standing_awards_for = volunteer_points.standing_awards_for
    check_no_overlap = volunteer_points.check_no_overlap
    award_points = volunteer_points.award_points
    reverse_award = volunteer_points.reverse_award

    redeem = volunteer_redemption.redeem
    redeem_benefit = volunteer_redemption.redeem_benefit
    use_voucher = volunteer_redemption.use_voucher

    certify_star_level = volunteer_recognition.certify_star_level
    grant_commendation = volunteer_recognition.grant_commendation
    revoke_commendation = volunteer_recognition.revoke_commendation
