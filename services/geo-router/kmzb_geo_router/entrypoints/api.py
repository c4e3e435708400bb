"""Admin API of the geo-router."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from kmzb_common.http import ApiError
from kmzb_contracts import H3Cells, UnitRef

from ..domain.jurisdiction import CellResolutions, Jurisdiction

__all__ = ["build_router"]


class UnitLookup(BaseModel):
    """The unit that owns a point, with its chain and the point's cells."""

    unit_id: str
    unit_chain: list[UnitRef]
    cells: H3Cells
    jurisdiction_version: str


def build_router(jurisdiction: Callable[[], Jurisdiction], resolutions: CellResolutions) -> APIRouter:
    """Routes that read the jurisdiction index."""
    router = APIRouter(prefix="/api/v1", tags=["units"])

    @router.get("/units/lookup", response_model=UnitLookup, summary="Which unit owns a point")
    async def lookup(
        lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude")],
        lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude")],
    ) -> UnitLookup:
        j = jurisdiction()
        decision = j.route(lat=lat, lon=lon)
        if decision.unit_id is None:
            raise ApiError(
                404,
                "outside_jurisdiction",
                "Punkt leży poza obszarem działania Policji w Polsce.",
                "The point lies outside the area of the Polish Police.",
            )
        return UnitLookup(
            unit_id=decision.unit_id,
            unit_chain=list(decision.chain),
            cells=resolutions.cells(lat=lat, lon=lon),
            jurisdiction_version=j.version,
        )

    @router.get("/units", response_model=list[UnitRef], summary="All units")
    async def units() -> list[UnitRef]:
        return jurisdiction().units()

    return router
