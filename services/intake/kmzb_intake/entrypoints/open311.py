"""Open311 GeoReport v2 server at /open311/v2/ (https://wiki.open311.org/GeoReport_v2).

Every endpoint answers in .json and .xml; errors are a list of {code, description} with 400,
403 or 404 (and 429/503 for the device limit and an unavailable broker). The KMZB status maps to
open/closed; the detailed Polish status goes in status_notes. Contact fields (email, names,
phone) are accepted and dropped: KMZB keeps no reporter contact. Descriptions are not published.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import h3
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from kmzb_common.http import EMERGENCY_NOTICE
from kmzb_common.mongo import run_db
from kmzb_contracts import (
    OPEN_STATUSES,
    STATUS_LABELS_PL,
    Catalogue,
    Category,
    Channel,
    Recurrence,
    TaskStatus,
    TimeBand,
)
from kmzb_contracts.statuses import PUBLIC_HIDDEN_STATUSES

from ..adapters.publisher import BrokerUnavailable
from ..domain.validation import ReportRejected
from ..service import DEDUP_RESOLUTION, Device, IntakeService, RateLimited, ReportDraft
from ..settings import IntakeSettings
from .support import ACCEPTED, REJECTED, DeviceResolver, Idempotency

__all__ = ["build_open311_router"]

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 500
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
_MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_DAYS = {
    "1": "poniedziałek",
    "2": "wtorek",
    "3": "środa",
    "4": "czwartek",
    "5": "piątek",
    "6": "sobota",
    "7": "niedziela",
}
_BANDS = {
    TimeBand.RANO: "rano (6–10)",
    TimeBand.DZIEN: "dzień (10–16)",
    TimeBand.POPOLUDNIE: "popołudnie (16–20)",
    TimeBand.WIECZOR: "wieczór (20–24)",
    TimeBand.NOC: "noc (0–6)",
}


class Open311Error(Exception):
    """An error in the GeoReport format: the HTTP status as `code`, the description in Polish or English.

    The description ends with the stable machine code in brackets, e.g. "(invalid_api_key)".
    """

    def __init__(self, status: int, code: str, pl: str, en: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.pl = pl
        self.en = en
        self.headers = dict(headers or {})

    def description(self, request: Request) -> str:
        """The message in the language the client asked for (Polish by default), with the machine code."""
        english = request.headers.get("accept-language", "").strip().lower().startswith("en")
        return f"{self.en if english else self.pl} ({self.code})"


def _w3c(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, list):
        item_tag = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}[tag]
        for item in value:
            if isinstance(item, dict):
                _xml_object(child, item_tag, item)
            else:
                ET.SubElement(child, item_tag).text = str(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _xml_object(parent: ET.Element, tag: str, obj: Mapping[str, Any]) -> None:
    node = ET.SubElement(parent, tag)
    for k, v in obj.items():
        _xml_value(node, k, v)


def _render(
    fmt: str, body: Any, *, root: str, item: str | None, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    if fmt == "xml":
        top = ET.Element(root)
        if item is None:
            for k, v in body.items():
                _xml_value(top, k, v)
        else:
            for obj in body:
                _xml_object(top, item, obj)
        content = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type=_MEDIA[fmt], headers=headers)


def _error(fmt: str, err: Open311Error, request: Request) -> Response:
    return _render(
        fmt if fmt in _MEDIA else "json",
        [{"code": err.status, "description": err.description(request)}],
        root="errors",
        item="error",
        status=err.status,
        headers=err.headers,
    )


def _format(fmt: str) -> str:
    if fmt not in _MEDIA:
        raise Open311Error(
            404, "unknown_format", "Nieznany format: użyj .json lub .xml.", "Unknown format: use .json or .xml."
        )
    return fmt


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name_pl,
        "description": category.name_en,
        "metadata": True,
        "type": "realtime",
        "keywords": category.group,
        "group": category.group,
    }


def _definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "occurred_at",
                "datatype": "datetime",
                "required": False,
                "datatype_description": "Kiedy zauważono zagrożenie (ISO 8601 ze strefą), nie z przyszłości",
                "order": 1,
                "description": "Data i godzina zdarzenia / when the threat was seen",
            },
            {
                "variable": True,
                "code": "time_bands",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": "Pory dnia, w których zagrożenie się powtarza / recurring times of day",
                "values": [{"key": b.value, "name": label} for b, label in _BANDS.items()],
            },
            {
                "variable": True,
                "code": "days_of_week",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "Dni tygodnia, w które zagrożenie się powtarza / recurring days of week",
                "values": [{"key": k, "name": v} for k, v in _DAYS.items()],
            },
        ],
    }


def _status(doc: Mapping[str, Any]) -> TaskStatus:
    raw = doc.get("status")
    return TaskStatus(raw) if raw in TaskStatus._value2member_map_ else TaskStatus.NOWE


def _request_out(doc: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    status = _status(doc)
    category = catalogue.get(doc["category"])
    lat, lon = doc["lat"], doc["lon"]
    if category is not None and category.privacy:
        lat, lon = h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, DEDUP_RESOLUTION))
    return {
        "service_request_id": doc["report_id"],
        "status": "open" if status in OPEN_STATUSES else "closed",
        "status_notes": STATUS_LABELS_PL[status],
        "service_name": category.name_pl if category else doc["category"],
        "service_code": doc["category"],
        "description": None,
        "agency_responsible": doc.get("unit_name_pl"),
        "service_notice": EMERGENCY_NOTICE["pl"],
        "requested_datetime": _w3c(doc.get("submitted_at")),
        "updated_datetime": _w3c(doc.get("updated_at") or doc.get("routed_at") or doc.get("submitted_at")),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": round(lat, 5),
        "long": round(lon, 5),
        "media_url": None,
    }


def _not_found() -> Open311Error:
    return Open311Error(404, "unknown_request", "Nieznany service_request_id.", "Unknown service_request_id.")


def _parse_date(raw: str | None, name: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, "invalid_date", f"{name}: wymagana data W3C ze strefą czasową.", f"{name} must be a W3C date-time."
        ) from None
    if value.tzinfo is None:
        raise Open311Error(
            400, "invalid_date", f"{name}: podaj strefę czasową (Z lub przesunięcie).", f"{name} needs a time zone."
        )
    return value


def _one(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Open311Error(400, "invalid_field", f"{name}: oczekiwano tekstu.", f"{name} must be a text field.")
    return value


def _float(raw: str | None, name: str) -> float:
    if raw is None or raw.strip() == "":
        raise Open311Error(
            400,
            "location_required",
            f"{name} jest wymagane (sam address_string nie wystarcza).",
            f"{name} is required (address_string alone is not supported).",
        )
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(
            400, "invalid_coordinates", f"{name}: oczekiwano liczby.", f"{name} must be a number."
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(
            400, "invalid_coordinates", f"{name}: oczekiwano liczby skończonej.", f"{name} must be finite."
        )
    return value


def build_open311_router(
    service: IntakeService, *, settings: IntakeSettings, devices: DeviceResolver, idempotency: Idempotency
) -> APIRouter:
    """The GeoReport v2 routes."""
    router = APIRouter(prefix="/open311/v2", tags=["open311"])
    catalogue = service.catalogue
    keys = [k.get_secret_value() for k in settings.open311_api_keys]
    jurisdiction = settings.open311_jurisdiction_id

    def check_jurisdiction(value: str | None) -> None:
        if value not in (None, "", jurisdiction):
            raise Open311Error(
                404,
                "unknown_jurisdiction",
                f"Nieznany jurisdiction_id; ten serwer obsługuje '{jurisdiction}'.",
                f"Unknown jurisdiction_id; this server serves '{jurisdiction}'.",
            )

    @router.get("/discovery.{fmt}", summary="Open311 service discovery")
    async def discovery(fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
        except Open311Error as err:
            return _error("json", err, request)
        base = str(request.base_url).rstrip("/") + "/open311/v2/"
        body = {
            "changeset": "2026-11-26T00:00:00Z",
            "contact": "KMZB — Krajowa Mapa Zagrożeń Bezpieczeństwa. W nagłych wypadkach dzwoń pod 112 lub 997.",
            "key_service": "Klucze api_key wydaje administrator KMZB.",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": "2026-11-26T00:00:00Z",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return _render(fmt, body, root="discovery", item=None)

    @router.get("/services.{fmt}", summary="GET services: the catalogue")
    async def services(fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            check_jurisdiction(request.query_params.get("jurisdiction_id"))
        except Open311Error as err:
            return _error(fmt, err, request)
        return _render(fmt, [_service(c) for c in catalogue.active()], root="services", item="service")

    @router.get("/services/{service_code}.{fmt}", summary="GET service definition")
    async def service_definition(service_code: str, fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            check_jurisdiction(request.query_params.get("jurisdiction_id"))
            category = catalogue.get(service_code)
            if category is None or category.retired:
                raise Open311Error(404, "unknown_service_code", "Nieznany service_code.", "Unknown service_code.")
        except Open311Error as err:
            return _error(fmt, err, request)
        return _render(fmt, _definition(category), root="service_definition", item=None)

    @router.post("/requests.{fmt}", summary="POST service request (form-encoded, api_key)")
    async def create_request(fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            form = await request.form()
            api_key = _one(form, "api_key") or ""
            if not any(hmac.compare_digest(api_key, k) for k in keys):
                raise Open311Error(
                    403,
                    "invalid_api_key",
                    "Nieprawidłowy api_key: nie można utworzyć zgłoszenia.",
                    "Invalid api_key received -- can't proceed with create_request.",
                )
            check_jurisdiction(_one(form, "jurisdiction_id"))
            return await _create(fmt, form, request)
        except Open311Error as err:
            return _error(fmt, err, request)

    async def _create(fmt: str, form: FormData, request: Request) -> Response:
        code = _one(form, "service_code")
        if not code:
            raise Open311Error(400, "service_code_required", "Wymagany service_code.", "service_code is required.")
        lat, lon = _float(_one(form, "lat"), "lat"), _float(_one(form, "long"), "long")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(400, "invalid_coordinates", "lat/long poza zakresem.", "lat/long out of range.")
        description = _one(form, "description")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise Open311Error(
                400,
                "description_too_long",
                f"Opis może mieć najwyżej {MAX_DESCRIPTION} znaków.",
                f"The description may have at most {MAX_DESCRIPTION} characters.",
            )
        occurred_at = _parse_date(_one(form, "attribute[occurred_at]"), "attribute[occurred_at]")
        bands = form.getlist("attribute[time_bands][]") + form.getlist("attribute[time_bands]")
        days = form.getlist("attribute[days_of_week][]") + form.getlist("attribute[days_of_week]")
        try:
            recurrence = (
                Recurrence(
                    time_bands=tuple(dict.fromkeys(TimeBand(str(b)) for b in bands)),
                    days_of_week=tuple(sorted({int(str(d)) for d in days})),
                )
                if bands or days
                else None
            )
        except ValueError:
            raise Open311Error(
                400,
                "invalid_recurrence",
                "Nieznana wartość attribute[time_bands] lub attribute[days_of_week].",
                "attribute[time_bands] or attribute[days_of_week] has an unknown value.",
            ) from None
        device_id = _one(form, "device_id")
        token = "open311-" + hashlib.sha256((device_id or _one(form, "account_id") or "").encode()).hexdigest()[:32]
        device, _ = devices.resolve(request, token=token)
        draft = ReportDraft(
            category=code, lat=lat, lon=lon, description=description, occurred_at=occurred_at, recurrence=recurrence
        )
        status, body, _ = await idempotency.run(
            request,
            scope="open311",
            caller=hashlib.sha256(str(form.get("api_key")).encode()).hexdigest(),
            fingerprint=lambda: "&".join(
                f"{k}={v}" for k, v in sorted(form.multi_items()) if k != "api_key" and isinstance(v, str)
            ),
            handler=lambda seed: _submit(draft, device, seed),
        )
        return _render(fmt, body["requests"], root="service_requests", item="request", status=status)

    async def _submit(draft: ReportDraft, device: Device, seed: str | None) -> tuple[int, dict[str, Any]]:
        try:
            accepted = await service.submit(draft, channel=Channel.OPEN311, device=device, seed=seed)
        except ReportRejected as exc:
            REJECTED.labels(exc.code).inc()
            raise Open311Error(400, exc.code, exc.message_pl, exc.message_en) from None
        except RateLimited as exc:
            REJECTED.labels("rate_limited").inc()
            hours = max(1, round(exc.retry_after_s / 3600))
            raise Open311Error(
                429,
                "rate_limited",
                f"Z tego urządzenia przyjęliśmy już zgłoszenie w ciągu ostatniej doby. Spróbuj za ok. {hours} godz.",
                f"This device has already sent a report in the last 24 hours. Try again in about {hours} h.",
                headers={"Retry-After": str(exc.retry_after_s)},
            ) from None
        except BrokerUnavailable:
            REJECTED.labels("broker_unavailable").inc()
            raise Open311Error(
                503,
                "broker_unavailable",
                "Chwilowo nie możemy przyjąć zgłoszenia. Spróbuj ponownie za chwilę.",
                "We cannot accept the report right now. Please try again shortly.",
                headers={"Retry-After": "5"},
            ) from None
        ACCEPTED.labels(Channel.OPEN311.value).inc()
        rid = str(accepted.report.report_id)
        notice = EMERGENCY_NOTICE["pl"]
        if accepted.urgent:
            notice = "PILNE: zadzwoń natychmiast pod 112! " + notice
        return 200, {
            "requests": [{"service_request_id": rid, "token": rid, "service_notice": notice, "account_id": None}]
        }

    @router.get("/tokens/{token}.{fmt}", summary="GET service_request_id from a token")
    async def token_lookup(token: str, fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            doc = await _visible(token)
        except Open311Error as err:
            return _error(fmt, err, request)
        return _render(
            fmt, [{"service_request_id": doc["report_id"], "token": token}], root="service_requests", item="request"
        )

    async def _visible(report_id: str) -> dict[str, Any]:
        try:
            uuid.UUID(report_id)
        except ValueError:
            raise _not_found() from None
        doc = await run_db(service.reports.get, report_id)
        if doc is None or _status(doc) in PUBLIC_HIDDEN_STATUSES:
            raise _not_found()
        return doc

    @router.get("/requests/{service_request_id}.{fmt}", summary="GET a service request")
    async def get_request(service_request_id: str, fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            check_jurisdiction(request.query_params.get("jurisdiction_id"))
            doc = await _visible(service_request_id)
        except Open311Error as err:
            return _error(fmt, err, request)
        return _render(fmt, [_request_out(doc, catalogue)], root="service_requests", item="request")

    @router.get("/requests.{fmt}", summary="GET service requests (filters per the specification)")
    async def list_requests(fmt: str, request: Request) -> Response:
        try:
            fmt = _format(fmt)
            q = request.query_params
            check_jurisdiction(q.get("jurisdiction_id"))
            ids = (
                [i.strip() for i in q["service_request_id"].split(",") if i.strip()]
                if "service_request_id" in q
                else None
            )
            codes = [c.strip() for c in q["service_code"].split(",") if c.strip()] if q.get("service_code") else None
            statuses = {s.strip() for s in q["status"].split(",") if s.strip()} if q.get("status") else None
            if statuses is not None and not statuses <= {"open", "closed"}:
                raise Open311Error(
                    400, "invalid_status", "status: open, closed lub oba.", "status must be open, closed or both."
                )
            now = service.clock()
            end = _parse_date(q.get("end_date"), "end_date")
            start = _parse_date(q.get("start_date"), "start_date")
            end = end or (start + MAX_RANGE if start else now)
            start = start or end - MAX_RANGE
            if start > end:
                raise Open311Error(
                    400, "invalid_date_range", "start_date jest po end_date.", "start_date is after end_date."
                )
            if end - start > MAX_RANGE:
                raise Open311Error(
                    400,
                    "invalid_date_range",
                    "Zakres dat może obejmować najwyżej 90 dni.",
                    "The date range may span at most 90 days.",
                )
            if ids is not None:
                valid = []
                for i in ids[:MAX_RESULTS]:
                    try:
                        valid.append(str(uuid.UUID(i)))
                    except ValueError:
                        continue
                ids = valid
        except Open311Error as err:
            return _error(fmt, err, request)
        docs = await run_db(
            service.reports.search, ids=ids, categories=codes, start=start, end=end, limit=MAX_RESULTS * 2
        )
        out = []
        for doc in docs:
            if _status(doc) in PUBLIC_HIDDEN_STATUSES:
                continue
            item = _request_out(doc, catalogue)
            if statuses is not None and item["status"] not in statuses:
                continue
            out.append(item)
            if len(out) == MAX_RESULTS:
                break
        return _render(fmt, out, root="service_requests", item="request")

    return router
