"""Reading GeoReport v2 input: the form of a new request and the filters of a request list."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.datastructures import FormData

from kmzb_common.http import ApiError
from kmzb_contracts import Recurrence, TimeBand

from ...workflow import ReportDraft

__all__ = ["MAX_DESCRIPTION", "MAX_RANGE", "MAX_RESULTS", "ListFilters", "one", "parse_draft", "parse_filters"]

MAX_DESCRIPTION = 500
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000


def _bad(code: str, pl: str, en: str) -> ApiError:
    return ApiError(400, code, pl, en)


def one(form: FormData, name: str) -> str | None:
    """The text field ``name`` of the form, or None."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("invalid_field", f"{name}: oczekiwano tekstu.", f"{name} must be a text field.")
    return value


def _date(raw: str | None, name: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            "invalid_date", f"{name}: wymagana data W3C ze strefą czasową.", f"{name} must be a W3C date-time."
        ) from None
    if value.tzinfo is None:
        raise _bad("invalid_date", f"{name}: podaj strefę czasową (Z lub przesunięcie).", f"{name} needs a time zone.")
    return value


def _coordinate(raw: str | None, name: str) -> float:
    if raw is None or raw.strip() == "":
        raise _bad(
            "location_required",
            f"{name} jest wymagane (sam address_string nie wystarcza).",
            f"{name} is required (address_string alone is not supported).",
        )
    try:
        value = float(raw)
    except ValueError:
        raise _bad("invalid_coordinates", f"{name}: oczekiwano liczby.", f"{name} must be a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _bad("invalid_coordinates", f"{name}: oczekiwano liczby skończonej.", f"{name} must be finite.")
    return value


def parse_draft(form: FormData) -> tuple[ReportDraft, str]:
    """The report of a POST requests form and the device token of its client (device_id or account_id)."""
    code = one(form, "service_code")
    if not code:
        raise _bad("service_code_required", "Wymagany service_code.", "service_code is required.")
    lat, lon = _coordinate(one(form, "lat"), "lat"), _coordinate(one(form, "long"), "long")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _bad("invalid_coordinates", "lat/long poza zakresem.", "lat/long out of range.")
    description = one(form, "description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise _bad(
            "description_too_long",
            f"Opis może mieć najwyżej {MAX_DESCRIPTION} znaków.",
            f"The description may have at most {MAX_DESCRIPTION} characters.",
        )
    occurred_at = _date(one(form, "attribute[occurred_at]"), "attribute[occurred_at]")
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
        raise _bad(
            "invalid_recurrence",
            "Nieznana wartość attribute[time_bands] lub attribute[days_of_week].",
            "attribute[time_bands] or attribute[days_of_week] has an unknown value.",
        ) from None
    client = one(form, "device_id") or one(form, "account_id") or ""
    token = "open311-" + hashlib.sha256(client.encode()).hexdigest()[:32]
    draft = ReportDraft(
        category=code, lat=lat, lon=lon, description=description, occurred_at=occurred_at, recurrence=recurrence
    )
    return draft, token


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters of GET requests: ids (only the well-formed ones), codes, open/closed, a date range."""

    ids: list[str] | None
    codes: list[str] | None
    statuses: set[str] | None
    start: datetime
    end: datetime


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def parse_filters(query: Mapping[str, str], *, now: datetime) -> ListFilters:
    """The filters of a GET requests query; by default the last 90 days."""
    ids = _split(query["service_request_id"]) if "service_request_id" in query else None
    statuses = set(_split(query["status"])) if query.get("status") else None
    if statuses is not None and not statuses <= {"open", "closed"}:
        raise _bad("invalid_status", "status: open, closed lub oba.", "status must be open, closed or both.")
    end = _date(query.get("end_date"), "end_date")
    start = _date(query.get("start_date"), "start_date")
    end = end or (start + MAX_RANGE if start else now)
    start = start or end - MAX_RANGE
    if start > end:
        raise _bad("invalid_date_range", "start_date jest po end_date.", "start_date is after end_date.")
    if end - start > MAX_RANGE:
        raise _bad(
            "invalid_date_range",
            "Zakres dat może obejmować najwyżej 90 dni.",
            "The date range may span at most 90 days.",
        )
    if ids is not None:
        ids = [str(uuid.UUID(i)) for i in ids[:MAX_RESULTS] if _is_uuid(i)]
    return ListFilters(
        ids=ids,
        codes=_split(query["service_code"]) if query.get("service_code") else None,
        statuses=statuses,
        start=start,
        end=end,
    )


def _is_uuid(raw: str) -> bool:
    try:
        uuid.UUID(raw)
    except ValueError:
        return False
    return True
