"""The HTTP edge every open-data export shares: the filters' 422 answers and the streamed response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import StreamingResponse

from kmzb_contracts.open_data import open_data_headers, parse_bbox, parse_period

from .http import ApiError

__all__ = ["MEDIA_TYPES", "EXPORT_RESPONSES", "export_filters", "export_response"]

MEDIA_TYPES = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8"}
# What the OpenAPI documents say a 200 of an export carries.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {MEDIA_TYPES["geojson"]: {}, "text/csv": {}}}}


def _invalid(field: str, reason: str) -> ApiError:
    return ApiError(
        422,
        f"invalid_{field}",
        f"Nieprawidłowy parametr {field}: {reason}.",
        f"Invalid {field}: {reason}.",
        details=[{"field": field, "reason": "invalid", "message": reason}],
    )


def export_filters(
    bbox: str | None, since: str | None, until: str | None, *, now: datetime
) -> tuple[tuple[float, float, float, float] | None, datetime, datetime]:
    """The export's area and period [start, end); a 422 with the reason for a bad box or period."""
    try:
        area = parse_bbox(bbox)
    except ValueError as exc:
        raise _invalid("bbox", str(exc)) from None
    try:
        start, end = parse_period(since, until, now=now)
    except ValueError as exc:
        raise _invalid("period", str(exc)) from None
    return area, start, end


def export_response(
    body: Iterator[str], *, fmt: Literal["geojson", "csv"], dataset: str, k_anonymity: int | None
) -> StreamingResponse:
    """The export streamed with its licence and k-anonymity headers."""
    headers = {
        **open_data_headers(k_anonymity=k_anonymity),
        "Content-Disposition": f'inline; filename="{dataset}.{fmt}"',
    }
    # A sync iterator: Starlette reads it in a worker thread, so a blocking cursor never holds the loop.
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)
