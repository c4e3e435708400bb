"""Residents' report API of the intake."""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import Counter, Histogram
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from kmzb_common.http import EMERGENCY_NOTICE, ApiError
from kmzb_common.logs import bind_log_context, log_event
from kmzb_common.mongo import run_db
from kmzb_contracts import Channel, ReportSubmitted, load_catalogue

from ..adapters.publisher import BrokerUnavailable, ReportPublisher
from ..adapters.report_store import ReportStore
from ..domain.device import client_address, device_key_hash
from ..domain.validation import (
    ReportRejected,
    check_category,
    check_location,
    check_occurred_at,
    normalise_description,
)
from ..settings import IntakeSettings

__all__ = ["build_router", "DEVICE_COOKIE"]

log = logging.getLogger(__name__)

DEVICE_COOKIE = "kmzb_device"

ACCEPTED = Counter("intake_reports_accepted_total", "Reports accepted", ["channel"])
REJECTED = Counter("intake_reports_rejected_total", "Reports refused", ["reason"])
SUBMIT_SECONDS = Histogram(
    "intake_submit_duration_seconds",
    "Time to validate and durably publish a report",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
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
    terms_accepted: bool = Field(description="The resident accepts the terms of use")


class ReportAccepted(BaseModel):
    """The report was durably accepted."""

    report_id: uuid.UUID
    status_url: str
    notice: dict[str, str]


class ReportState(BaseModel):
    """What a resident may see of a report."""

    report_id: str
    category: str
    category_name_pl: str | None
    state: str = Field(description="submitted, routed or unrouted")
    unit_id: str | None = None
    unit_name_pl: str | None = None
    submitted_at: datetime
    routed_at: datetime | None = None
    notice: dict[str, str]


class CategoryOut(BaseModel):
    """A category of the catalogue."""

    code: str
    name_pl: str
    name_en: str
    group: str


def _reject(exc: ReportRejected) -> ApiError:
    REJECTED.labels(exc.code).inc()
    return ApiError(422, exc.code, exc.message_pl, exc.message_en, details=[{"field": exc.field, "reason": exc.code}])


def build_router(
    settings: IntakeSettings,
    *,
    publisher: Callable[[], ReportPublisher],
    store: ReportStore,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    """Routes of the residents' API."""
    router = APIRouter(prefix="/api/v1")
    catalogue = load_catalogue(settings.catalogue_path)
    secret = settings.device_key_secret.get_secret_value().encode()
    trusted = frozenset(settings.trusted_proxies)
    max_age = timedelta(days=settings.occurred_max_age_days)

    @router.get("/categories", response_model=list[CategoryOut], tags=["catalogue"], summary="Active categories")
    async def categories() -> list[Any]:
        return list(catalogue.active())

    @router.post(
        "/reports",
        status_code=202,
        response_model=ReportAccepted,
        tags=["reports"],
        summary="Report a threat (answered once the broker has it)",
        responses={422: {"description": "Invalid report"}, 503: {"description": "Broker unavailable, retry"}},
    )
    async def submit(body: ReportIn, request: Request, response: Response) -> ReportAccepted:
        started = time.perf_counter()
        now = clock()
        if not body.terms_accepted:
            raise _reject(
                ReportRejected(
                    "terms_not_accepted",
                    "terms_accepted",
                    "Zgłoszenie wymaga akceptacji regulaminu.",
                    "The terms of use must be accepted.",
                )
            )
        try:
            category = check_category(catalogue, body.category)
            check_location(lat=body.lat, lon=body.lon)
            check_occurred_at(body.occurred_at, now=now, max_age=max_age)
            description = normalise_description(body.description)
        except ReportRejected as exc:
            raise _reject(exc) from None
        token = request.cookies.get(DEVICE_COOKIE)
        if not token or len(token) > 64:
            token = secrets.token_urlsafe(24)
            response.set_cookie(DEVICE_COOKIE, token, max_age=365 * 86400, httponly=True, samesite="lax", secure=False)
        address = client_address(
            peer=request.client.host if request.client else "unknown",
            forwarded_for=request.headers.get("x-forwarded-for"),
            trusted_proxies=trusted,
        )
        report = ReportSubmitted(
            event_id=uuid.uuid4(),
            report_id=uuid.uuid4(),
            category=category.code,
            lat=body.lat,
            lon=body.lon,
            description=description,
            channel=Channel.WEB,
            occurred_at=body.occurred_at,
            submitted_at=now,
            device_key_hash=device_key_hash(secret=secret, address=address, device_token=token),
        )
        bind_log_context(report_id=report.report_id)
        try:
            await publisher().publish(report)
        except BrokerUnavailable as exc:
            log.error("report not accepted: broker unavailable", extra={"error": str(exc)})
            raise ApiError(
                503,
                "broker_unavailable",
                "Chwilowo nie możemy przyjąć zgłoszenia. Spróbuj ponownie za chwilę.",
                "We cannot accept the report right now. Please try again shortly.",
                headers={"Retry-After": "5"},
            ) from None
        try:
            await run_db(store.record_submitted, report)
        except Exception:  # noqa: BLE001 - the report is durable in Kafka; the read model catches up
            log.exception("read model write failed", extra={"report_id": str(report.report_id)})
        ACCEPTED.labels(Channel.WEB.value).inc()
        SUBMIT_SECONDS.observe(time.perf_counter() - started)
        log_event(log, "report accepted", category=category.code)
        return ReportAccepted(
            report_id=report.report_id,
            status_url=f"/api/v1/reports/{report.report_id}",
            notice=EMERGENCY_NOTICE,
        )

    @router.get("/reports/{report_id}", response_model=ReportState, tags=["reports"], summary="A report's state")
    async def report_state(report_id: uuid.UUID) -> ReportState:
        doc = await run_db(store.get, str(report_id))
        if doc is None:
            raise ApiError(404, "report_not_found", "Nie znaleziono zgłoszenia.", "Report not found.")
        category = catalogue.get(doc["category"])
        return ReportState(
            **{k: doc.get(k) for k in ReportState.model_fields if k not in ("category_name_pl", "notice")},
            category_name_pl=category.name_pl if category else None,
            notice=EMERGENCY_NOTICE,
        )

    return router
