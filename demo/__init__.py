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

from demo.records import DemoSummary, Progress
from demo.vocabulary import TOWNSHIPS
from demo.year import generate_year

__all__ = ["TOWNSHIPS", "DemoSummary", "Progress", "generate_year"]
