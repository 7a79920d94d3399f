"""National id claims for volunteers registered before ids were claimed.

A registration claims its national id in the same save as the volunteer (one person, one
record). A store written before that rule has volunteers without a claim, so a second
registration of the same person would still be accepted. ``claim_unclaimed_national_ids``
gives each national id in the log to the volunteer registered first with it, and names
every later registration of the same person for the office to settle (withdraw one, keep
the other): it never decides which record of a person is wrong by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.base import LedgerBase
from domain.registry import NationalIdClaim, national_id_claim_id
from domain.values import Actor, normalise_national_id
from domain.volunteer import Volunteer

REGISTERED: str = f"{Volunteer.TOPIC}.Registered"  # the event of Volunteer.register
_BATCH = 500


@dataclass
class ClaimBackfill:
    """What a backfill did: ids now claimed, ids already claimed, and duplicates found."""

    claimed: list[UUID] = field(default_factory=list)  # volunteers whose id it claimed
    already: int = 0  # national ids claimed before it ran
    # (a later registration, the volunteer registered first with the same national id)
    duplicates: list[tuple[UUID, UUID]] = field(default_factory=list)

    def first_registrations(self, registrations: Iterable[tuple[UUID, str]]) -> dict[str, UUID]:
        """Each national id's first volunteer; every later one is noted as a duplicate."""
        first: dict[str, UUID] = {}
        for volunteer_id, national_id in registrations:
            if national_id in first:
                self.duplicates.append((volunteer_id, first[national_id]))
            else:
                first[national_id] = volunteer_id
        return first

    def claimed_before(
        self,
        existing: Iterable[NationalIdClaim],
        national_ids: dict[UUID, str],
        owners: dict[str, UUID],
    ) -> None:
        """Note claims made before this run (``national_ids`` by claim id, ``owners``: each
        national id's first volunteer): one held by another volunteer was claimed for a
        later registration of the person, a duplicate."""
        for claim in existing:
            self.already += 1
            owner = owners[national_ids[claim.id]]
            if claim.volunteer_id != owner:
                self.duplicates.append((owner, claim.volunteer_id))


class ClaimCommands(LedgerBase):
    def registrations(self) -> Iterator[tuple[UUID, str]]:
        """Every volunteer's registration in log order: its id and normalised national id."""
        position = 0
        while True:
            found = self.recorder.select_notifications(
                start=position + 1, limit=2000, topics=[REGISTERED]
            )
            if not found:
                return
            for notification in found:
                registered: Any = self.mapper.to_domain_event(notification)
                yield registered.originator_id, normalise_national_id(registered.national_id)
            position = found[-1].id

    def claim_unclaimed_national_ids(self, *, actor: Actor) -> ClaimBackfill:
        """Claim each registered national id for its first volunteer; report later ones.

        Running it again claims nothing new. A registration racing it is refused (its
        claim or ours is saved first, the store keeps one).
        """
        result = ClaimBackfill()
        ids = list(result.first_registrations(self.registrations()).items())
        for start in range(0, len(ids), _BATCH):
            self._claim_batch(dict(ids[start : start + _BATCH]), actor, result)
        return result

    def _claim_batch(self, owners: dict[str, UUID], actor: Actor, result: ClaimBackfill) -> None:
        """Claim each national id of ``owners`` for its volunteer, unless claimed before."""
        claim_ids = {national_id_claim_id(n): n for n in owners}
        existing = self.load_many(NationalIdClaim, claim_ids)
        result.claimed_before(existing.values(), claim_ids, owners)
        new = [
            NationalIdClaim.claim(national_id=n, volunteer_id=owners[n], actor=actor)
            for claim_id, n in claim_ids.items()
            if claim_id not in existing
        ]
        if new:
            self.record(*new)
            result.claimed.extend(c.volunteer_id for c in new)
