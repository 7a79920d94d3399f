"""Commands: what a use case is asked to do, as one object.

The convention every use case of :class:`application.ledger.VolunteerLedger` follows:

* One frozen dataclass per use case, named after it (``register_volunteer`` takes a
  :class:`RegisterVolunteer`), in the module of its area (``people``, ``stations``,
  ``insurance``, ...). Keyword-only fields, already typed (enums, ``Decimal``, ``date``,
  ``UUID``); the domain checks the values, the command only carries them.
* A use case that changes an existing aggregate names it first (``volunteer_id``,
  ``team_id``, ``station_id``) and carries ``expected_version`` last, defaulting to
  ``None``: the ``If-Match`` version that aggregate must still have.
* Who asks is not part of what is asked: the actor is passed beside the command, as a
  keyword, ``ledger.enrol_member(EnrolMember(team_id=..., volunteer_id=..., role=...),
  actor=caller.actor)``.
* The edge builds the command: a router from its validated request schema, the path and
  ``If-Match``; the console, the CLI, the demo and tests directly. The use case passes its
  fields on to the aggregate's method (whose keyword arguments stay the domain's own).
"""
