"""Open data of the notifier: the public threats as GeoJSON or CSV, streamed from the store's cursor."""

# No postponed annotations here: FastAPI evaluates the route's annotations.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from kmzb_common.http import ApiError
from kmzb_common.open_data import EXPORT_RESPONSES, export_filters, export_response
from kmzb_contracts import load_catalogue
from kmzb_contracts.open_data import (
    THREAT_COLUMNS,
    csv_chunks,
    geojson_chunks,
    open_data_readme,
)

from ..workflow import Notifier

__all__ = ["build_open_data_router"]


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
        responses=EXPORT_RESPONSES,
    )
    async def threats(
        fmt: Annotated[Literal["geojson", "csv"], Path(description="geojson or csv")],
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
        unit_id: Annotated[str | None, Query(pattern=r"^[A-Z0-9-]{1,32}$", description="Unit and its subunits")] = None,
        category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
        since: Annotated[str | None, Query(max_length=40, description="Posted at or after (ISO date)")] = None,
        until: Annotated[str | None, Query(max_length=40, description="Posted before (ISO date)")] = None,
    ) -> StreamingResponse:
        area, start, end = export_filters(bbox, since, until, now=notifier.clock())
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
        return export_response(body, fmt=fmt, dataset="threats", k_anonymity=None)

    return router
