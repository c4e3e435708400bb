"""Officers' plane (threats from direct contacts and debates) and the statistics import (police systems)."""

# No `from __future__ import annotations`: FastAPI must evaluate the Annotated dependency that
# closes over the verifier when the route is defined.

import time
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from kmzb_common.auth import Principal, Role, TokenVerifier, bearer_principal
from kmzb_common.http import EMERGENCY_NOTICE, ApiError
from kmzb_contracts import Channel, OfficerEntry, OfficerSource, StatisticsLayer

from ..adapters.publisher import BrokerUnavailable
from ..domain.validation import ReportRejected
from ..metrics import ACCEPTED, REJECTED, SUBMIT_SECONDS
from ..workflow import IntakeService
from .api import ReportIn, accepted_body
from .errors import as_api_error
from .support import Idempotency, json_answer

__all__ = ["build_officer_router", "OfficerReportIn", "MAX_REJECTED_LISTED"]

MAX_REJECTED_LISTED = 1000


class OfficerReportIn(ReportIn):
    """A threat an officer learnt of from a direct contact or a public safety debate."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "SPOZYWANIE_ALKOHOLU",
                    "lat": 50.0614,
                    "lon": 19.9366,
                    "description": "Mieszkańcy na debacie: grupy pijących na skwerze przy Lipowej.",
                    "source_type": "debata_spoleczna",
                    "meeting_date": "2026-11-20",
                    "participants": 42,
                }
            ]
        },
    )

    terms_accepted: bool = Field(default=True, description="Not asked of officers")
    source_type: OfficerSource = Field(description="Where the officer learnt of the threat")
    meeting_date: date | None = Field(default=None, description="Date of the debate or meeting")
    participants: StrictInt | None = Field(default=None, ge=0, le=100_000, description="People at the meeting")
    unit_id: str | None = Field(
        default=None, max_length=32, description="The officer's unit; required when the officer has several"
    )


class RowErrorOut(BaseModel):
    """A rejected row and why."""

    row: int
    code: str
    reason: str


class ImportSummaryOut(BaseModel):
    """What an import did."""

    rows: int
    published: int
    duplicates: int
    rejected_count: int
    rejected: list[RowErrorOut] = Field(description=f"The first {MAX_REJECTED_LISTED} rejected rows")
    notice: dict[str, str]


def _officer_unit(principal: Principal, requested: str | None) -> str:
    if requested is not None:
        if requested in principal.units or Role.ADMIN in principal.roles:
            return requested
        raise ApiError(403, "unit_not_allowed", "Brak uprawnień do tej jednostki.", "Not allowed for this unit.")
    if len(principal.units) == 1:
        return next(iter(principal.units))
    raise ApiError(
        422,
        "unit_required",
        "Wskaż jednostkę (unit_id): masz uprawnienia do kilku.",
        "Name the unit (unit_id): you belong to several.",
        details=[{"field": "unit_id", "reason": "unit_required"}],
    )


def build_officer_router(
    service: IntakeService, *, verifier: TokenVerifier, idempotency: Idempotency, import_max_bytes: int
) -> APIRouter:
    """Routes for authenticated officers and analysts."""
    router = APIRouter(prefix="/api/v1")
    principal_dep = bearer_principal(verifier)
    PrincipalDep = Annotated[Principal, Depends(principal_dep)]

    @router.post(
        "/officer/reports",
        status_code=202,
        tags=["officers"],
        summary="Funkcjonariusz wprowadza zagrożenie z kontaktu bezpośredniego lub debaty (bez limitu)",
        responses={401: {"description": "Brak logowania"}, 403: {"description": "Brak uprawnień"}},
    )
    async def officer_report(body: OfficerReportIn, request: Request, principal: PrincipalDep) -> JSONResponse:
        started = time.perf_counter()
        if not principal.has_role(Role.OFFICER, Role.COORDINATOR):
            raise ApiError(403, "forbidden", "Brak uprawnień.", "Forbidden.")
        unit_id = _officer_unit(principal, body.unit_id)

        async def handle(seed: str | None) -> tuple[int, dict[str, Any]]:
            try:
                today = service.clock().date()
                if body.meeting_date is not None and body.meeting_date > today:
                    raise ReportRejected(
                        "meeting_in_future",
                        "meeting_date",
                        "Data spotkania nie może być z przyszłości.",
                        "The meeting date is in the future.",
                    )
                if body.source_type is OfficerSource.DEBATA_SPOLECZNA and body.meeting_date is None:
                    raise ReportRejected(
                        "meeting_date_required",
                        "meeting_date",
                        "Dla debaty społecznej podaj datę spotkania.",
                        "A public safety debate needs its meeting date.",
                    )
                entry = OfficerEntry(
                    officer_id=principal.subject,
                    unit_id=unit_id,
                    source_type=body.source_type,
                    meeting_date=body.meeting_date,
                    participants=body.participants,
                )
                accepted = await service.submit(
                    body.draft(), channel=Channel.OFFICER, device=None, officer_entry=entry, seed=seed
                )
            except (ReportRejected, BrokerUnavailable) as exc:
                raise as_api_error(exc) from None
            ACCEPTED.labels(Channel.OFFICER.value).inc()
            SUBMIT_SECONDS.labels(Channel.OFFICER.value).observe(time.perf_counter() - started)
            return 202, accepted_body(accepted)

        status, answer, replayed = await idempotency.run(
            request,
            scope="officer-reports",
            caller=principal.subject,
            fingerprint=body.model_dump_json,
            handler=handle,
        )
        return json_answer(status, answer, replayed=replayed)

    @router.post(
        "/imports/statistics",
        response_model=ImportSummaryOut,
        tags=["imports"],
        summary="Import danych z systemów policyjnych i badań poczucia bezpieczeństwa (CSV lub JSONL)",
        openapi_extra={
            "requestBody": {
                "content": {
                    "text/csv": {"example": "category,occurred_at,lat,lon,unit_id\nKRADZIEZ,2026-10-01,50.06,19.94,\n"},
                    "application/x-ndjson": {
                        "example": '{"category":"KRADZIEZ","occurred_at":"2026-10-01","lat":50.06,"lon":19.94}\n'
                    },
                }
            }
        },
    )
    async def import_statistics(
        request: Request,
        principal: PrincipalDep,
        layer: StatisticsLayer,
        source: Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[\w.\-: ]+$")],
        format: Annotated[str, Query(pattern="^(csv|jsonl)$")] = "csv",
        first_row: Annotated[int, Query(ge=1, le=100_000_000)] = 1,
    ) -> ImportSummaryOut:
        if not principal.has_role(Role.ANALYST):
            raise ApiError(403, "forbidden", "Brak uprawnień.", "Forbidden.")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > import_max_bytes:
            raise _too_large(import_max_bytes)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > import_max_bytes:
                raise _too_large(import_max_bytes)
            chunks.append(chunk)
        try:
            summary = await service.import_statistics(
                b"".join(chunks), fmt=format, layer=layer, source=source, first_row=first_row
            )
        except BrokerUnavailable as exc:
            raise as_api_error(exc) from None
        if summary.published:
            ACCEPTED.labels(Channel.POLICE_SYSTEM.value).inc(summary.published)
        for rejected in summary.rejected:
            REJECTED.labels(f"row_{rejected.code}").inc()
        return ImportSummaryOut(
            rows=summary.rows,
            published=summary.published,
            duplicates=summary.duplicates,
            rejected_count=len(summary.rejected),
            rejected=[RowErrorOut(row=r.row, code=r.code, reason=r.reason) for r in summary.rejected][
                :MAX_REJECTED_LISTED
            ],
            notice=EMERGENCY_NOTICE,
        )

    return router


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "import_too_large",
        f"Plik importu może mieć najwyżej {limit // (1024 * 1024)} MB; podziel go na części.",
        f"An import file may have at most {limit // (1024 * 1024)} MB; split it.",
    )
