"""Open data of the notifier: the public threats as GeoJSON or CSV, streamed from the store's cursor."""

# No postponed annotations here: FastAPI evaluates the route's annotations.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from kmzb_common.http import ApiError
from kmzb_contracts import load_catalogue
from kmzb_contracts.open_data import (
    THREAT_COLUMNS,
    csv_chunks,
    geojson_chunks,
    open_data_headers,
    open_data_readme,
    parse_bbox,
    parse_period,
)

from ..workflow import Notifier

__all__ = ["build_open_data_router"]

_MEDIA = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8"}


def _invalid(field: str, reason: str) -> ApiError:
    return ApiError(
        422,
        f"invalid_{field}",
        f"Nieprawidłowy parametr {field}: {reason}.",
        f"Invalid {field}: {reason}.",
        details=[{"field": field, "reason": "invalid", "message": reason}],
    )


def _feature(threat: dict[str, Any]) -> dict[str, Any]:
    properties = {k: threat[k] for k in THREAT_COLUMNS if k not in ("lat", "lon")}
    geometry = {"type": "Point", "coordinates": [threat["lon"], threat["lat"]]}
    return {"type": "Feature", "id": threat["threat_id"], "geometry": geometry, "properties": properties}


def build_open_data_router(notifier: Notifier) -> APIRouter:
    """The export and its README; public, read-only."""
    router = APIRouter(prefix="/api/v1/open-data", tags=["open data"])
    views = notifier.views

    @router.get("/README", summary="Open data: licence (CC BY 4.0), datasets, columns, filters, k-anonymity rule")
    async def readme() -> dict[str, Any]:
        return open_data_readme(k_anonymity=None)

    @router.get(
        "/threats.{fmt}",
        summary="Open data: public threats (no reporter data, public locations) as GeoJSON or CSV, streamed",
        responses={200: {"content": {_MEDIA["geojson"]: {}, "text/csv": {}}}},
    )
    async def threats(
        fmt: Annotated[Literal["geojson", "csv"], Path(description="geojson or csv")],
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
        unit_id: Annotated[str | None, Query(pattern=r"^[A-Z0-9-]{1,32}$", description="Unit and its subunits")] = None,
        category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
        since: Annotated[str | None, Query(max_length=40, description="Posted at or after (ISO date)")] = None,
        until: Annotated[str | None, Query(max_length=40, description="Posted before (ISO date)")] = None,
    ) -> StreamingResponse:
        try:
            area = parse_bbox(bbox)
        except ValueError as exc:
            raise _invalid("bbox", str(exc)) from None
        try:
            start, end = parse_period(since, until, now=notifier.clock())
        except ValueError as exc:
            raise _invalid("period", str(exc)) from None
        if category is not None and load_catalogue().get(category) is None:
            raise ApiError(400, "unknown_category", "Nieznana kategoria zagrożenia.", "Unknown threat category.")
        found = views.open_threats(bbox=area, category=category, unit_id=unit_id, start=start, end=end)
        if fmt == "csv":
            body = csv_chunks(found, columns=THREAT_COLUMNS)
        else:
            metadata = {
                "dataset": "threats",
                "since": start.isoformat(),
                "until": end.isoformat(),
                "bbox": list(area) if area else None,
                "unit_id": unit_id,
                "category": category,
                "licence": open_data_readme(k_anonymity=None)["licence"],
            }
            body = geojson_chunks((_feature(t) for t in found), metadata=metadata)
        # A sync iterator: Starlette reads it in a worker thread, so the blocking cursor never holds the loop.
        headers = {**open_data_headers(k_anonymity=None), "Content-Disposition": f'inline; filename="threats.{fmt}"'}
        return StreamingResponse(body, media_type=_MEDIA[fmt], headers=headers)

    return router
