"""What an activity may be asked to do, each command decided in the module of its concern:

- ``activity_lifecycle``: planned, published, completed, verified (four eyes), cancelled;
- ``activity_attendance``: sign-ups within capacity, hours recorded and corrected before
  verification;
- ``activity_corrections``: four eyes on corrections of verified hours;
- ``activity_outcomes``: people served, ratings and media coverage.

The commands are functions taking the activity as ``self``; bound here they are the
:class:`~domain.activity.ServiceActivity`'s methods. The events they record are applied in
``domain.activity``.
"""

from __future__ import annotations

from domain import activity_attendance, activity_corrections, activity_lifecycle, activity_outcomes


class ServiceActivityCommands:
    """The ServiceActivity's commands, by concern."""

    plan = classmethod(activity_lifecycle.plan)
    publish = activity_lifecycle.publish
    complete = activity_lifecycle.complete
    check_verifiable = activity_lifecycle.check_verifiable
    verify = activity_lifecycle.verify
    cancel = activity_lifecycle.cancel

    sign_up = activity_attendance.sign_up
    withdraw_signup = activity_attendance.withdraw_signup
    record_hours = activity_attendance.record_hours
    correct_attendance = activity_attendance.correct_attendance

    propose_correction = activity_corrections.propose_correction
    open_proposal = activity_corrections.open_proposal
    approve_correction = activity_corrections.approve_correction
    reject_correction = activity_corrections.reject_correction

    record_beneficiaries = activity_outcomes.record_beneficiaries
    record_feedback = activity_outcomes.record_feedback
    record_media = activity_outcomes.record_media
