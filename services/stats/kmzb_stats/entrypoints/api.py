"""Dashboard API of the stats service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from kmzb_common.http import ApiError
from kmzb_common.mongo import run_db
from kmzb_contracts import load_catalogue

from ..adapters.hotspot_store import HotspotStore
from ..domain.hotspots import feature_collection

__all__ = ["build_router"]

GEOJSON = "application/geo+json"


def build_router(store: HotspotStore) -> APIRouter:
    """Routes over the hotspot read model."""
    router = APIRouter(prefix="/api/v1", tags=["hotspots"])

    @router.get(
        "/hotspots",
        summary="Report counts per H3 cell and category as GeoJSON hexagons",
        responses={200: {"content": {GEOJSON: {}}}},
    )
    async def hotspots(
        category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
        min_count: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> Any:
        if category is not None and load_catalogue().get(category) is None:
            raise ApiError(400, "unknown_category", "Nieznana kategoria zagrożenia.", "Unknown threat category.")
        cells = await run_db(store.cells, category=category, min_total=min_count)
        return JSONResponse(feature_collection(cells), media_type=GEOJSON)

    return router
