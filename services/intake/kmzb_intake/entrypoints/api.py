"""Residents' API of the intake: reports, attachments, nearby threats and "+1" confirmations."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from typing import Annotated, Any

import h3
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from kmzb_common.http import EMERGENCY_NOTICE, ApiError
from kmzb_contracts import STATUS_LABELS_PL, Channel, Recurrence, TaskStatus, TimeBand, public_location

from ..domain.attachments import MAX_TOTAL_BYTES, check_upload
from ..domain.emergency import URGENT_NOTICE, load_detector
from ..domain.short_code import short_code
from ..domain.validation import ReportRejected, check_terms
from ..metrics import ACCEPTED, SUBMIT_SECONDS
from ..workflow import IntakeService, PublicReports, ReportDraft
from .errors import as_api_error
from .support import DeviceResolver, Idempotency, json_answer

__all__ = ["build_router", "ReportIn", "RecurrenceIn", "accepted_body"]

log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "Niepoprawne zgłoszenie (kod błędu w `error.code`)"},
    429: {"description": "Limit: jedno zgłoszenie z urządzenia na dobę (`Retry-After`)"},
    503: {"description": "Broker niedostępny lub serwis przeciążony, nic nie przyjęto (`Retry-After`)"},
}


class RecurrenceIn(BaseModel):
    """When a threat tends to recur."""

    model_config = ConfigDict(extra="forbid")

    time_bands: list[TimeBand] = Field(default_factory=list, max_length=5, description="rano, dzien, ...")
    days_of_week: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=list, max_length=7, description="ISO days, 1 = Monday"
    )

    def to_contract(self) -> Recurrence | None:
        """The contract model, or None when empty."""
        if not self.time_bands and not self.days_of_week:
            return None
        return Recurrence(
            time_bands=tuple(dict.fromkeys(self.time_bands)), days_of_week=tuple(sorted(set(self.days_of_week)))
        )


class ReportIn(BaseModel):
    """A resident's report."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "PRZEKRACZANIE_PREDKOSCI",
                    "lat": 50.0614,
                    "lon": 19.9366,
                    "description": "Samochody pędzą wieczorami ulicą Długą.",
                    "occurred_at": "2026-11-20T21:30:00+01:00",
                    "recurrence": {"time_bands": ["wieczor"], "days_of_week": [5, 6]},
                    "attachments": [],
                    "terms_accepted": True,
                }
            ]
        },
    )

    category: str = Field(max_length=64, description="Category code from GET /api/v1/categories")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude")
    description: str | None = Field(default=None, max_length=2000, description="Up to 500 characters, plain text")
    occurred_at: AwareDatetime | None = Field(default=None, description="When the threat was seen, with offset")
    recurrence: RecurrenceIn | None = Field(default=None, description="When the threat recurs")
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=3, description="Ids from POST /api/v1/attachments"
    )
    terms_accepted: StrictBool = Field(description="The resident accepts the terms of use")

    def draft(self) -> ReportDraft:
        """The channel-neutral draft."""
        return ReportDraft(
            category=self.category,
            lat=self.lat,
            lon=self.lon,
            description=self.description,
            occurred_at=self.occurred_at,
            recurrence=self.recurrence.to_contract() if self.recurrence else None,
            attachment_ids=tuple(self.attachments),
        )


class ReportAccepted(BaseModel):
    """The report was durably accepted."""

    report_id: uuid.UUID
    number: str = Field(description='Short number to read out or type, e.g. "9DF4-47F9"; /zgloszenie/{number} finds it')
    status_url: str
    notice: dict[str, str]
    urgent_notice: dict[str, str] | None = Field(
        default=None, description="Set when the description reads like an emergency in progress: call 112 now"
    )


class StatusStep(BaseModel):
    """One status of the report's task and when it was set."""

    status: str
    label_pl: str
    at: datetime


class ReportState(BaseModel):
    """What a resident may see of a report."""

    report_id: str
    number: str = Field(description='Short number of the report, e.g. "9DF4-47F9"')
    category: str
    category_name_pl: str | None
    state: str = Field(description="submitted, routed or unrouted")
    status: str = Field(description="Verification status of the report's task (of the threat it joined); NOWE before")
    status_label_pl: str
    history: list[StatusStep] = Field(description="Statuses of the task so far, oldest first")
    unit_id: str | None = None
    unit_name_pl: str | None = None
    lat: float | None = Field(
        default=None, description="Where the report is shown publicly (privacy categories: the cell centre)"
    )
    lon: float | None = None
    location_snapped: bool | None = None
    submitted_at: datetime
    routed_at: datetime | None = None
    notice: dict[str, str]


class EmergencyWordsOut(BaseModel):
    """The words that make a description read like an emergency, for a warning while typing."""

    stems: list[str] = Field(
        description="Word stems matched at a word start, lower case, ł as l, without diacritics; "
        "a space matches any run of spaces"
    )
    urgent_notice: dict[str, str] = Field(description="The prompt to show when a stem matches: call 112 now")
    notice: dict[str, str]


class CategoryOut(BaseModel):
    """A category of the catalogue."""

    code: str
    name_pl: str
    name_en: str
    group: str


class AttachmentOut(BaseModel):
    """A stored attachment, to be referenced by a report of the same device."""

    attachment_id: str
    content_type: str
    size: int
    sha256: str
    notice: dict[str, str]


class NearbyThreat(BaseModel):
    """An open threat near the point, which the resident may confirm instead of reporting again."""

    task_id: str
    category: str
    lat: float = Field(description="Public location (snapped to a cell centre for privacy categories)")
    lon: float
    distance_m: int = Field(description="From the asked point to the public location, rounded to 10 m")
    created_at: datetime | None = Field(description="When the threat was first reported")
    report_count: int = Field(description="Reports of this threat so far")
    status: str
    status_label_pl: str
    confirm_url: str


class NearbyOut(BaseModel):
    """Open threats of the same category in the neighbourhood (~250 m)."""

    threats: list[NearbyThreat]
    notice: dict[str, str]


class ConfirmationOut(BaseModel):
    """Whether the "+1" counted (once per device and threat)."""

    task_id: str
    counted: bool
    notice: dict[str, str]


def accepted_body(accepted: Any) -> dict[str, Any]:
    """The JSON body of an accepted report (also replayed for an Idempotency-Key)."""
    rid = accepted.report.report_id
    return ReportAccepted(
        report_id=rid,
        number=short_code(str(rid)),
        status_url=f"/api/v1/reports/{rid}",
        notice=EMERGENCY_NOTICE,
        urgent_notice=URGENT_NOTICE if accepted.urgent else None,
    ).model_dump(mode="json")


def build_router(
    service: IntakeService, public: PublicReports, *, devices: DeviceResolver, idempotency: Idempotency
) -> APIRouter:
    """Routes of the residents' API."""
    router = APIRouter(prefix="/api/v1")
    catalogue = service.catalogue

    @router.get("/categories", response_model=list[CategoryOut], tags=["catalogue"], summary="Active categories")
    async def categories() -> list[Any]:
        return list(catalogue.active())

    @router.get(
        "/emergency/keywords",
        response_model=EmergencyWordsOut,
        tags=["catalogue"],
        summary="Słowa nagłego zdarzenia: strona ostrzega (zadzwoń pod 112) już podczas pisania opisu",
    )
    async def emergency_keywords() -> JSONResponse:
        body = EmergencyWordsOut(
            stems=list(load_detector().stems), urgent_notice=URGENT_NOTICE, notice=EMERGENCY_NOTICE
        )
        return JSONResponse(body.model_dump(mode="json"), headers={"Cache-Control": "public, max-age=3600"})

    @router.post(
        "/reports",
        status_code=202,
        response_model=ReportAccepted,
        tags=["reports"],
        summary="Zgłoś zagrożenie (odpowiedź dopiero gdy broker je ma)",
        responses=_ERRORS,
    )
    async def submit(body: ReportIn, request: Request) -> JSONResponse:
        started = time.perf_counter()
        device, new_token = devices.resolve(request)

        async def handle(seed: str | None) -> tuple[int, dict[str, Any]]:
            try:
                check_terms(body.terms_accepted)
                accepted = await service.submit(body.draft(), channel=Channel.WEB, device=device, seed=seed)
            except Exception as exc:  # noqa: BLE001 - mapped to the HTTP error or re-raised
                raise as_api_error(exc) from None
            ACCEPTED.labels(Channel.WEB.value).inc()
            SUBMIT_SECONDS.labels(Channel.WEB.value).observe(time.perf_counter() - started)
            return 202, accepted_body(accepted)

        status, answer, replayed = await idempotency.run(
            request, scope="reports", caller="resident", fingerprint=body.model_dump_json, handler=handle
        )
        return json_answer(status, answer, replayed=replayed, new_token=new_token)

    @router.post(
        "/attachments",
        status_code=201,
        response_model=AttachmentOut,
        tags=["reports"],
        summary="Prześlij załącznik (JPG, PNG, PDF, 3GP, MOV, DOC, TXT; rozpoznawany po treści)",
        responses={422: {"description": "Za duży plik lub nieobsługiwany typ (attachments_too_large, ...)"}},
    )
    async def upload(request: Request, file: Annotated[UploadFile, File(description="One file")]) -> JSONResponse:
        device, new_token = devices.resolve(request)
        data = await file.read(MAX_TOTAL_BYTES + 1)
        try:
            content_type = check_upload(data)
            stored = await service.store_attachment(data, content_type=content_type, device=device)
        except ReportRejected as exc:
            raise as_api_error(exc) from None
        body = AttachmentOut(
            attachment_id=stored.attachment_id,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            notice=EMERGENCY_NOTICE,
        )
        return json_answer(201, body.model_dump(mode="json"), replayed=False, new_token=new_token)

    @router.get(
        "/threats/nearby",
        response_model=NearbyOut,
        tags=["threats"],
        summary="Otwarte zagrożenia tej kategorii w pobliżu (~250 m), by zamiast nowego zgłoszenia dać +1",
    )
    async def nearby(
        lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False)],
        lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False)],
        category: Annotated[str, Query(max_length=64)],
    ) -> NearbyOut:
        try:
            docs = await service.nearby(lat=lat, lon=lon, category=category)
        except ReportRejected as exc:
            raise as_api_error(exc) from None
        threats = []
        for d in docs:
            where = public_location(catalogue.get(d["category"]), lat=d["lat"], lon=d["lon"])
            status = TaskStatus(d["status"])
            threats.append(
                NearbyThreat(
                    task_id=d["_id"],
                    category=d["category"],
                    lat=where.lat,
                    lon=where.lon,
                    distance_m=round(h3.great_circle_distance((lat, lon), (where.lat, where.lon), unit="m"), -1),
                    created_at=d.get("created_at"),
                    report_count=max(1, int(d.get("report_count") or 1)),
                    status=status.value,
                    status_label_pl=STATUS_LABELS_PL[status],
                    confirm_url=f"/api/v1/threats/{d['_id']}/confirmations",
                )
            )
        threats.sort(key=lambda th: th.distance_m)
        return NearbyOut(threats=threats, notice=EMERGENCY_NOTICE)

    @router.post(
        "/threats/{task_id}/confirmations",
        response_model=ConfirmationOut,
        status_code=201,
        tags=["threats"],
        summary="Potwierdź zagrożenie (+1): raz na urządzenie, nie wlicza się do limitu zgłoszeń",
        responses={200: {"description": "To urządzenie już potwierdziło"}, 404: {"description": "Brak zagrożenia"}},
    )
    async def confirm(task_id: uuid.UUID, request: Request) -> JSONResponse:
        device, new_token = devices.resolve(request)

        async def handle(_: str | None) -> tuple[int, dict[str, Any]]:
            try:
                counted = await service.confirm(task_id, device=device)
            except Exception as exc:  # noqa: BLE001 - mapped to the HTTP error or re-raised
                raise as_api_error(exc) from None
            body = ConfirmationOut(task_id=str(task_id), counted=counted, notice=EMERGENCY_NOTICE)
            return (201 if counted else 200), body.model_dump(mode="json")

        status, answer, replayed = await idempotency.run(
            request, scope=f"confirm:{task_id}", caller=device.current, fingerprint=task_id.__str__, handler=handle
        )
        return json_answer(status, answer, replayed=replayed, new_token=new_token)

    @router.get("/reports/{report_id}", response_model=ReportState, tags=["reports"], summary="A report's state")
    async def report_state(report_id: uuid.UUID) -> ReportState:
        report = await public.state(str(report_id))
        if report is None:
            raise ApiError(404, "report_not_found", "Nie znaleziono zgłoszenia.", "Report not found.")
        where = report.location
        return ReportState(
            report_id=report.report_id,
            number=short_code(report.report_id),
            category=report.category,
            category_name_pl=report.category_info.name_pl if report.category_info else None,
            state=report.state,
            status=report.status.value,
            status_label_pl=STATUS_LABELS_PL[report.status],
            history=[StatusStep(status=st.value, label_pl=STATUS_LABELS_PL[st], at=at) for st, at in report.history],
            unit_id=report.unit_id,
            unit_name_pl=report.unit_name_pl,
            lat=where.lat if where else None,
            lon=where.lon if where else None,
            location_snapped=where.snapped if where else None,
            submitted_at=report.submitted_at,
            routed_at=report.routed_at,
            notice=EMERGENCY_NOTICE,
        )

    return router
