"""Documents the office hands out, pinned to the log: the supervision bulletin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from interfaces.documents.bulletin import bulletin_at, bulletin_json, bulletin_pdf, bulletin_xlsx
from interfaces.http.auth import CallerDep
from interfaces.http.deps import MAX_POSITION, ContainerDep
from interfaces.http.document_schemas import Bulletin
from interfaces.http.problems import Problem
from interfaces.http.routers.reports import PERIOD_PATTERN

router = APIRouter(tags=["documents"])

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/bulletins/{period}",
    # The JSON is sent as the bulletin wrote it (same cut, same bytes): the model documents it.
    response_model=Bulletin,
    responses={
        200: {
            "content": {
                PDF: {"schema": {"type": "string", "format": "binary"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def supervision_bulletin(
    _: CallerDep,
    container: ContainerDep,
    period: Annotated[
        str, Path(description="`2022`, `2022-Q3` or `2022-07`", pattern=PERIOD_PATTERN)
    ],
    level: Annotated[
        Literal["township", "village"], Query(description="the station level ranked")
    ] = "township",
    format: Annotated[Literal["json", "pdf", "xlsx"], Query()] = "json",
    as_of_position: Annotated[
        int | None,
        Query(ge=0, le=MAX_POSITION, description="the cut of the log (default: the head)"),
    ] = None,
) -> Response:
    """The supervision bulletin (定期通报) of a period for stations of one level: the
    ranking with every metric, score and change since the previous period, hours by month,
    stations with no activity, key-support teams, needs met, insurance gaps by station,
    media points, and the log position, chain head and covering seal the figures are
    pinned to. The same period, level and `as_of_position` give the same bytes in every
    format; the PDF (A4, CJK font embedded) and XLSX carry the JSON's figures."""
    if as_of_position is not None:
        head = container.ledger.current_position()
        if as_of_position > head:
            message = f"position {as_of_position} is beyond the log's head ({head})"
            raise Problem(
                422,
                "validation",
                "Invalid request",
                f"as_of_position: {message}",
                errors=[{"field": "as_of_position", "message": message}],
                head=head,
                detail_zh=f"as_of_position：日志位置 {as_of_position} 超出日志末尾（{head}），此前尚无记录",
            )
    answer = bulletin_at(container, period, level, as_of_position)
    name = f"bulletin-{period}-{level}-{answer['position']}"
    if format == "pdf":
        return _attachment(bulletin_pdf(answer), PDF, f"{name}.pdf")
    if format == "xlsx":
        return _attachment(bulletin_xlsx(answer), XLSX, f"{name}.xlsx")
    return Response(bulletin_json(answer), media_type="application/json")


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
