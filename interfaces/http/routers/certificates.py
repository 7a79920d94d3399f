"""Service record certificates (志愿服务记录证明): the PDF, with its signed statement."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import rule_violation
from domain.volunteer import Volunteer
from infrastructure.sealing import SealKeyError, load_private_key
from interfaces.certificate.record import gather, signed
from interfaces.certificate.render import certificate_pdf
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep

router = APIRouter(tags=["documents"])


@router.get(
    "/volunteers/{volunteer_id}/certificate",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the certificate",
        }
    },
)
async def certificate(
    volunteer_id: UUID,
    request: Request,
    caller: CallerDep,
    container: ContainerDep,
    format: Annotated[str, Query(pattern="^pdf$", description="pdf")] = "pdf",
    year: Annotated[int | None, Query(ge=2000, le=2100, description="one service year")] = None,
) -> Response:
    """The volunteer's service record certificate as an A4 PDF: name, masked national id,
    the verified service (dates, activities, categories, hours, points), training,
    commendations, totals, issuing office and date, and a QR code carrying a statement
    signed with the seal key (check it with `volunteer-ledger certificate verify` or at
    `/verify`). A station clerk may issue it for their township's volunteers."""

    def build() -> bytes:
        volunteer = container.ledger.load(Volunteer, volunteer_id, read_only=True)
        caller.require_township(str(volunteer.township), "certificates")
        try:
            key = load_private_key(container.settings.seal_key_path)
        except SealKeyError as e:
            raise rule_violation("seal-key", str(e)) from None
        record = gather(container, volunteer_id, year, container.settings.issuing_office)
        verify_url = str(request.base_url).rstrip("/") + "/verify"
        return certificate_pdf(signed(record, key), verify_url)

    body = await run_in_threadpool(build)
    name = f"certificate-{volunteer_id}{f'-{year}' if year else ''}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
