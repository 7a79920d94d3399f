"""The audit trail and annual reviews, for auditors and admins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from application.readmodel.audit.decisions import recheck_decision
from application.readmodel.audit.explain import explain_award
from application.readmodel.audit.review import review_json
from interfaces.documents.review import report_order, review_csv_zip, review_pdf, review_xlsx
from interfaces.http.audit_schemas import AwardExplanationOut, DecisionRecheckOut
from interfaces.http.auth import CallerDep
from interfaces.http.deps import (
    MAX_POSITION,
    READ_WAIT_SECONDS,
    ContainerDep,
    Cursor,
    Limit,
    LiveReads,
    known_at_position,
)
from interfaces.http.document_schemas import AnnualReview
from interfaces.http.problems import Problem
from interfaces.http.routers.documents import XLSX
from interfaces.http.schemas import Moment, Page

router = APIRouter(tags=["audit"])


def _utc(name: str, value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            f"{name} must be an RFC 3339 time with an offset",
            errors=[{"field": name, "message": "an offset (such as +08:00 or Z) is required"}],
            detail_zh=f"{name}：须为带时区的 RFC 3339 时间（如 2024-05-01T09:00:00+08:00）",
        )
    return value.astimezone(UTC).isoformat()


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > MAX_POSITION:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            f"cursor {cursor!r} is not a next_cursor of this list",
            errors=[{"field": "cursor", "message": "expected a next_cursor value"}],
            detail_zh="cursor：须为本列表上一页给出的 next_cursor",
        )
    return int(cursor)


@router.get("/audit/events")
def audit_events(
    caller: CallerDep,
    reads: LiveReads,
    aggregate_id: str | None = None,
    actor: Annotated[str | None, Query(description="The acting user's name.")] = None,
    type: Annotated[str | None, Query(description="Event type, such as `Registered`.")] = None,
    from_: Annotated[
        Moment | None,
        Query(alias="from", description="Recorded at or after this time (RFC 3339)."),
    ] = None,
    to: Annotated[
        Moment | None, Query(description="Recorded at or before this time (RFC 3339).")
    ] = None,
    after_position: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page:
    """The audit trail in log order: who recorded what, when, under which request id."""
    caller.require_auditor("read the audit trail")
    recorded_from, recorded_to = _utc("from", from_), _utc("to", to)
    after = _cursor(cursor)
    if after_position is not None:
        after = max(after or 0, after_position)
    return Page(
        **reads.audit_events(
            aggregate_id=aggregate_id,
            actor=actor,
            event_type=type,
            recorded_from=recorded_from,
            recorded_to=recorded_to + "\uffff" if recorded_to else None,
            after_position=after,
            limit=limit,
        )
    )


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown id (`application/problem+json`)."},
    422: {"description": "Not an award / not a decision, or a malformed id."},
}


@router.get("/audit/awards/{entry_id}", responses=_PROBLEMS)
def explain_award_of(
    entry_id: UUID, caller: CallerDep, container: ContainerDep
) -> AwardExplanationOut:
    """The events behind an award, read from the event store, and the award recomputed with the
    points formula under the rulebook version it recorded: `recomputed_points` must equal
    `points` (`checks` lists every comparison; `matches` is their conjunction).

    Only awards are explained: a reversal, redemption or training entry id is a 422 naming
    what it is (a reversal's names the award it reverses); an unknown entry id is a 404."""
    caller.require_auditor("read award explanations")
    container.wait_bounded(container.ledger.current_position(), timeout=READ_WAIT_SECONDS)
    explanation = explain_award(container.ledger, container.rulebook, container.store, entry_id)
    return AwardExplanationOut.of(explanation)


@router.get("/audit/decisions/{aggregate_id}/{version}", responses=_PROBLEMS)
def recheck_decision_of(
    aggregate_id: UUID,
    version: Annotated[int, Path(ge=1, le=MAX_POSITION)],
    caller: CallerDep,
    container: ContainerDep,
) -> DecisionRecheckOut:
    """Re-check one decision — a volunteer's commendation or star certification, or a team's
    commendation (key support) — named by its event: the volunteer's or team's id and the
    event's version (see `/audit/events?aggregate_id=`). The log is replayed up to the
    decision's `basis_position` and `eligible_at_basis` says whether eligibility then
    supported it. Any other event is a 422; an unknown aggregate or version a 404."""
    caller.require_auditor("re-check decisions")
    container.wait_bounded(container.ledger.current_position(), timeout=READ_WAIT_SECONDS)
    checked = recheck_decision(
        container.ledger, container.rulebook, container.store, aggregate_id, version
    )
    return DecisionRecheckOut.of(checked)


@router.get(
    "/reviews/{year}",
    # The JSON is sent as the review wrote it (same cut, same bytes): the model documents it.
    response_model=AnnualReview,
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def annual_review_of(
    caller: CallerDep,
    container: ContainerDep,
    year: Annotated[int, Path(ge=2000, le=2100)],
    known_at: Annotated[
        Moment | None,
        Query(description="Build the review from the events recorded up to this time."),
    ] = None,
    format: Annotated[
        Literal["json", "csv", "pdf", "xlsx"],
        Query(description="json; csv (a zip of one CSV per section, UTF-8 BOM); pdf; xlsx"),
    ] = "json",
) -> Response:
    """The annual review of ``year``, rebuilt by replaying the log (deterministic bytes).
    As a document (the annual report): `pdf` (A4, CJK font embedded), `xlsx` (a sheet per
    section, numbers as numbers) or `csv` (a zip of one CSV per section), volunteers
    listed by township, then name."""
    caller.require_auditor("read annual reviews")
    upto = None
    if known_at is not None:
        _utc("known_at", known_at)
        upto = known_at_position(container, known_at)
    with container.as_of.gate.held():  # a whole-log replay, as time travel is
        review = container.review(year, upto=upto)
    if format == "json":
        return Response(review_json(review), media_type="application/json")
    report = report_order(review)
    name = f"review-{year}-{review['position']}"
    if format == "pdf":
        data, media_type = review_pdf(report), "application/pdf"
    elif format == "xlsx":
        data, media_type = review_xlsx(report), XLSX
    else:
        data, media_type = review_csv_zip(report), "application/zip"
    suffix = "zip" if format == "csv" else format
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )
