"""Queries over the read models. The same code answers from live tables or an in-memory replay.

Each group of queries is a class of its own module (directory, ledger and eligibility,
rankings, insurance, audit trail, needs); ``ReadModels`` answers them all."""

from __future__ import annotations

from application.readmodel.queries.directory import DirectoryReads
from application.readmodel.queries.insurance import InsuranceReads
from application.readmodel.queries.ledger import LedgerReads
from application.readmodel.queries.needs import NeedReads
from application.readmodel.queries.rankings import RankingReads
from application.readmodel.queries.trail import TrailReads


class ReadModels(DirectoryReads, LedgerReads, RankingReads, InsuranceReads, TrailReads, NeedReads):
    """Every query over the read models, on one store and rulebook."""
