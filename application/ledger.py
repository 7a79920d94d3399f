"""The Volunteer Ledger application: one method per command of the HTTP contract."""

from __future__ import annotations

from application.activities import ActivityCommands
from application.claims import ClaimCommands
from application.insurance import InsuranceCommands
from application.people import VolunteerCommands
from application.sealing import SealCommands


class VolunteerLedger(
    ActivityCommands, VolunteerCommands, InsuranceCommands, SealCommands, ClaimCommands
):
    """Teams, volunteers and activities recorded as immutable events."""

    name = "VolunteerLedger"
