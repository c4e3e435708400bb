"""Open311 GeoReport v2 routes at /open311/v2/ (https://wiki.open311.org/GeoReport_v2).

Every endpoint answers in .json and .xml; errors are a list of {code, description} with 400,
403 or 404 (and 429/503 for the device limit and an unavailable broker), from one exception
handler on the router. The KMZB status maps to open/closed; the detailed Polish status goes in
status_notes. Contact fields (email, names, phone) are accepted and dropped: KMZB keeps no
reporter contact. Descriptions are not published; locations follow the contracts' public rule.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kmzb_common.http import EMERGENCY_NOTICE, ApiError, error_mapping_route
from kmzb_contracts import Channel

from ...domain.validation import ReportRejected
from ...metrics import ACCEPTED
from ...settings import IntakeSettings
from ...workflow import Device, IntakeService, PublicReport, PublicReports, ReportDraft
from ..errors import USE_CASE_ERRORS, as_api_error
from ..support import DeviceResolver, Idempotency
from .parse import MAX_RESULTS, one, parse_draft, parse_filters
from .render import check_format, render, render_error
from .schema import definition_of, discovery, request_of, service_of

__all__ = ["build_open311_router"]


def _respond(request: Request, exc: Exception) -> Response:
    err = exc if isinstance(exc, ApiError) else as_api_error(exc)
    # GeoReport v2 knows 400 for a request it refuses; the JSON API answers such a report 422.
    return render_error(request, err, status=400 if isinstance(exc, ReportRejected) else None)


_Open311Route = error_mapping_route((ApiError, *USE_CASE_ERRORS), _respond)


def _unknown_request() -> ApiError:
    return ApiError(404, "unknown_request", "Nieznany service_request_id.", "Unknown service_request_id.")


def build_open311_router(
    service: IntakeService,
    public: PublicReports,
    *,
    settings: IntakeSettings,
    devices: DeviceResolver,
    idempotency: Idempotency,
) -> APIRouter:
    """The GeoReport v2 routes."""
    router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=_Open311Route)
    catalogue = service.catalogue
    keys = [k.get_secret_value() for k in settings.open311_api_keys]
    jurisdiction = settings.open311_jurisdiction_id

    def check_jurisdiction(value: str | None) -> None:
        if value not in (None, "", jurisdiction):
            raise ApiError(
                404,
                "unknown_jurisdiction",
                f"Nieznany jurisdiction_id; ten serwer obsługuje '{jurisdiction}'.",
                f"Unknown jurisdiction_id; this server serves '{jurisdiction}'.",
            )

    async def visible(report_id: str) -> PublicReport:
        report = await public.visible(report_id)
        if report is None:
            raise _unknown_request()
        return report

    @router.get("/discovery.{fmt}", summary="Open311 service discovery")
    async def get_discovery(fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        base = str(request.base_url).rstrip("/") + "/open311/v2/"
        return render(fmt, discovery(base), root="discovery", item=None)

    @router.get("/services.{fmt}", summary="GET services: the catalogue")
    async def services(fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        check_jurisdiction(request.query_params.get("jurisdiction_id"))
        return render(fmt, [service_of(c) for c in catalogue.active()], root="services", item="service")

    @router.get("/services/{service_code}.{fmt}", summary="GET service definition")
    async def service_definition(service_code: str, fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        check_jurisdiction(request.query_params.get("jurisdiction_id"))
        category = catalogue.get(service_code)
        if category is None or category.retired:
            raise ApiError(404, "unknown_service_code", "Nieznany service_code.", "Unknown service_code.")
        return render(fmt, definition_of(category), root="service_definition", item=None)

    @router.post("/requests.{fmt}", summary="POST service request (form-encoded, api_key)")
    async def create_request(fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        form = await request.form()
        api_key = one(form, "api_key") or ""
        if not any(hmac.compare_digest(api_key, k) for k in keys):
            raise ApiError(
                403,
                "invalid_api_key",
                "Nieprawidłowy api_key: nie można utworzyć zgłoszenia.",
                "Invalid api_key received -- can't proceed with create_request.",
            )
        check_jurisdiction(one(form, "jurisdiction_id"))
        draft, token = parse_draft(form)
        device, _ = devices.resolve(request, token=token)
        status, body, _ = await idempotency.run(
            request,
            scope="open311",
            caller=hashlib.sha256(api_key.encode()).hexdigest(),
            fingerprint=lambda: "&".join(
                f"{k}={v}" for k, v in sorted(form.multi_items()) if k != "api_key" and isinstance(v, str)
            ),
            handler=lambda seed: submit(draft, device, seed),
        )
        return render(fmt, body["requests"], root="service_requests", item="request", status=status)

    async def submit(draft: ReportDraft, device: Device, seed: str | None) -> tuple[int, dict[str, Any]]:
        accepted = await service.submit(draft, channel=Channel.OPEN311, device=device, seed=seed)
        ACCEPTED.labels(Channel.OPEN311.value).inc()
        rid = str(accepted.report.report_id)
        notice = EMERGENCY_NOTICE["pl"]
        if accepted.urgent:
            notice = "PILNE: zadzwoń natychmiast pod 112! " + notice
        return 200, {
            "requests": [{"service_request_id": rid, "token": rid, "service_notice": notice, "account_id": None}]
        }

    @router.get("/tokens/{token}.{fmt}", summary="GET service_request_id from a token")
    async def token_lookup(token: str, fmt: str) -> Response:
        fmt = check_format(fmt)
        report = await visible(token)
        body = [{"service_request_id": report.report_id, "token": token}]
        return render(fmt, body, root="service_requests", item="request")

    @router.get("/requests/{service_request_id}.{fmt}", summary="GET a service request")
    async def get_request(service_request_id: str, fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        check_jurisdiction(request.query_params.get("jurisdiction_id"))
        report = await visible(service_request_id)
        return render(fmt, [request_of(report)], root="service_requests", item="request")

    @router.get("/requests.{fmt}", summary="GET service requests (filters per the specification)")
    async def list_requests(fmt: str, request: Request) -> Response:
        fmt = check_format(fmt)
        check_jurisdiction(request.query_params.get("jurisdiction_id"))
        filters = parse_filters(request.query_params, now=service.clock())
        reports = await public.search(
            ids=filters.ids, categories=filters.codes, start=filters.start, end=filters.end, limit=MAX_RESULTS * 2
        )
        out = [request_of(r) for r in reports]
        if filters.statuses is not None:
            out = [item for item in out if item["status"] in filters.statuses]
        return render(fmt, out[:MAX_RESULTS], root="service_requests", item="request")

    return router
