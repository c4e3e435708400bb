"""Open data of stats: counts per H3 cell of a layer, category, area and period, k-anonymous, streamed.

Cells with fewer than k counts in the period are left out (the GeoJSON's ``suppressed_cells`` at its
end says how many); the rows are read cell by cell from the store's cursor and written as they come.
"""

# No postponed annotations here: FastAPI evaluates the route's annotations.
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import h3
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from kmzb_common.open_data import EXPORT_RESPONSES, export_filters, export_response
from kmzb_contracts.open_data import (
    STATISTICS_COLUMNS,
    csv_chunks,
    geojson_chunks,
    open_data_readme,
)

from ..adapters.stats_store import StatsStore
from ..domain.counts import Layer
from ..domain.hotspots import hexagon_geometry
from ..domain.windows import hour_of
from .api import CategoryQuery, LayerQuery, UnitQuery, check_category

__all__ = ["build_open_data_router"]


class _Suppressed:
    """Counts the cells left out while the rows stream."""

    def __init__(self) -> None:
        self.cells = 0

    def trailer(self) -> Iterator[tuple[str, Any]]:
        yield "suppressed_cells", self.cells


def statistics_rows(
    store: StatsStore,
    *,
    layer: Layer,
    category: str | None,
    unit_id: str | None,
    bbox: tuple[float, float, float, float] | None,
    start: datetime,
    end: datetime,
    k: int,
    suppressed: _Suppressed,
) -> Iterator[dict[str, Any]]:
    """Rows of the cells with at least ``k`` in [start, end) whose centre lies in ``bbox``."""
    first, last = hour_of(start), hour_of(end - timedelta(microseconds=1)) + 1
    for cell, count in store.stream_window_counts(
        layer=layer, start=first, end=last, category=category, unit_id=unit_id
    ):
        lat, lon = h3.cell_to_latlng(cell)
        if bbox is not None and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
            continue
        if count < k:
            suppressed.cells += 1
            continue
        yield {
            "cell": cell,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "layer": str(layer),
            "category": category or "*",
            "count": count,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
        }


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    properties = {k: row[k] for k in STATISTICS_COLUMNS if k not in ("lat", "lon")}
    return {"type": "Feature", "id": row["cell"], "geometry": hexagon_geometry(row["cell"]), "properties": properties}


def build_open_data_router(store: StatsStore, *, k_anonymity: int, clock: Any) -> APIRouter:
    """The statistics export and the open-data README; public, read-only."""
    router = APIRouter(prefix="/api/v1/open-data", tags=["open data"])

    @router.get("/README", summary="Open data: licence (CC BY 4.0), datasets, columns, filters, k-anonymity rule")
    async def readme() -> dict[str, Any]:
        return open_data_readme(k_anonymity=k_anonymity)

    @router.get(
        "/statistics.{fmt}",
        summary="Open data: counts per H3 cell (r8) of a layer and period, cells below k suppressed, streamed",
        responses=EXPORT_RESPONSES,
    )
    async def statistics(
        fmt: Annotated[Literal["geojson", "csv"], Path(description="geojson or csv")],
        layer: LayerQuery = Layer.REPORTS,
        category: CategoryQuery = None,
        unit_id: UnitQuery = None,
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
        since: Annotated[str | None, Query(max_length=40, description="From (ISO date), default 28 days ago")] = None,
        until: Annotated[str | None, Query(max_length=40, description="Until, exclusive (ISO date)")] = None,
    ) -> StreamingResponse:
        check_category(layer, category)
        area, start, end = export_filters(bbox, since, until, now=clock())
        suppressed = _Suppressed()
        rows = statistics_rows(
            store,
            layer=layer,
            category=category,
            unit_id=unit_id,
            bbox=area,
            start=start,
            end=end,
            k=k_anonymity,
            suppressed=suppressed,
        )
        if fmt == "csv":
            body = csv_chunks(rows, columns=STATISTICS_COLUMNS)
        else:
            metadata = {
                "dataset": "statistics",
                "layer": str(layer),
                "category": category,
                "unit_id": unit_id,
                "bbox": list(area) if area else None,
                "since": start.isoformat(),
                "until": end.isoformat(),
                "k_anonymity": k_anonymity,
                "licence": open_data_readme(k_anonymity=k_anonymity)["licence"],
            }
            body = geojson_chunks((_feature(r) for r in rows), metadata=metadata, trailer=suppressed.trailer())
        return export_response(body, fmt=fmt, dataset="statistics", k_anonymity=k_anonymity)

    return router
