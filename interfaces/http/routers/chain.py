"""The tamper-evident log: verify the hash chain, seal its head, fetch the public key."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import rule_violation
from infrastructure.audit import chained, verify_chain
from infrastructure.seal_head import seal_chain
from infrastructure.sealing import SealKeyError, load_private_key, public_pem, trusted_keys
from interfaces.http.auth import CallerDep
from interfaces.http.deps import MAX_POSITION, ContainerDep

router = APIRouter(tags=["audit"])


class SealCheckOut(BaseModel):
    position: int = Field(description="Where the seal event is in the log.")
    sealed_position: int = Field(description="The position whose chain head it signed.")
    key_id: str
    ok: bool
    problem: str | None = None


class VerifyReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ok": False,
                    "checked": 1041,
                    "head": 1041,
                    "head_hash": "9c1f…",
                    "first_broken_position": 1042,
                    "problem": "the event at position 1042 does not match its link: …",
                    "started_after": 0,
                    "seals": [],
                    "seconds": 0.02,
                }
            ]
        }
    )

    ok: bool = Field(description="Every link recomputes and every seal holds.")
    checked: int = Field(description="Events whose links were recomputed.")
    head: int = Field(description="The last position checked.")
    head_hash: str = Field(description="The recomputed chain hash at `head` (hex).")
    first_broken_position: int | None = None
    problem: str | None = Field(default=None, description="What is wrong at that position.")
    started_after: int = Field(description="0, or the seal position verification trusted.")
    seals: list[SealCheckOut]
    seconds: float


class SealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"position": 1041}]})

    position: int | None = Field(
        default=None, ge=1, le=MAX_POSITION, description="Seal the chain here; the head if omitted."
    )


class SealOut(BaseModel):
    id: UUID
    version: int
    position: int = Field(description="The log position of the seal event itself.")
    sealed_position: int
    head_hash: str
    signature: str
    key_id: str
    algorithm: str = "ed25519"


@router.get("/audit/verify")
def verify(
    caller: CallerDep,
    container: ContainerDep,
    from_last_seal: Annotated[
        bool, Query(description="Trust the last seal whose signature holds; check after it.")
    ] = False,
) -> VerifyReport:
    """Recompute the hash chain, check every seal, and name the first broken position."""
    caller.require_auditor("verify the log")
    report = verify_chain(
        chained(container.ledger), _keys(container), from_last_seal=from_last_seal
    )
    return VerifyReport.model_validate(report.as_dict())


@router.post("/audit/seals", status_code=status.HTTP_201_CREATED)
def seal(body: SealRequest, caller: CallerDep, container: ContainerDep) -> SealOut:
    """Sign the chain head at a position (the head if omitted) and record the seal (admin)."""
    caller.require_admin("seal the log")
    try:
        key = load_private_key(container.settings.seal_key_path)
    except SealKeyError as e:
        raise rule_violation("seal-key", str(e)) from None
    result = seal_chain(
        container.ledger, key, caller.actor, position=body.position, trusted=_keys(container)
    )
    return SealOut(
        id=result.recorded.id,
        version=result.recorded.version,
        position=result.recorded.position,
        sealed_position=result.sealed_position,
        head_hash=result.head_hash,
        signature=result.signature,
        key_id=result.key_id,
    )


@router.get(
    "/audit/public-key",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {"schema": {"type": "string"}}}}},
)
def public_key(caller: CallerDep, container: ContainerDep) -> Response:
    """The PEM public key seals are signed with, for checking seals and bundles elsewhere."""
    caller.require_auditor("read the seal key")
    try:
        key = load_private_key(container.settings.seal_key_path)
    except SealKeyError as e:
        raise rule_violation("seal-key", str(e)) from None
    return Response(public_pem(key.public_key()), media_type="application/x-pem-file")


def _keys(container: Any) -> Any:
    try:
        return trusted_keys(container.settings)
    except SealKeyError as e:
        raise rule_violation("seal-key", str(e)) from None
