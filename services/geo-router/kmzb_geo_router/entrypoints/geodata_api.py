"""Geodata other services read: place names of H3 cells and the territory of a unit (public facts)."""

from __future__ import annotations

from typing import Annotated

import h3
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from kmzb_common.http import ApiError

from ..adapters.jurisdiction_files import JurisdictionHolder
from ..domain.gazetteer import Gazetteer

__all__ = ["build_geodata_router", "MAX_CELLS"]

MAX_CELLS = 200


class CellPlace(BaseModel):
    """Where an H3 cell's centre lies: its locality, powiat, voivodeship and owning unit."""

    cell: str
    locality: str = Field(description="Nearest GeoNames locality of the owning powiat")
    label_pl: str = Field(
        description='Name for readers, e.g. "Kraków (4,8 km na zachód od centrum)" or "Wieliczka, powiat wielicki"'
    )
    label_en: str = Field(description='The same in English, e.g. "Kraków (4.8 km west of the centre)"')
    distance_km: float = Field(description="From the cell's centre to the locality's centre")
    powiat_teryt: str
    powiat_name_pl: str
    voivodeship_name_pl: str
    powiat_population: int | None = Field(description="Residents of a city powiat (GeoNames); null for land powiats")
    unit_id: str


class Places(BaseModel):
    """Place names of the cells asked; a cell outside the jurisdiction is left out."""

    places: list[CellPlace]
    source: str = Field(description="Gazetteer: GeoNames (CC BY 4.0) through the named registry package")


class Territory(BaseModel):
    """The land a unit covers, as compacted H3 cells (mixed resolutions)."""

    unit_id: str
    cells: list[str]
    jurisdiction_version: str


def build_geodata_router(holder: JurisdictionHolder, gazetteer: Gazetteer) -> APIRouter:
    """Routes over the jurisdiction index and the gazetteer; read-only and public."""
    router = APIRouter(prefix="/api/v1", tags=["geodata"])

    @router.get("/cells/places", response_model=Places, summary="Place names of H3 cells (up to 200 a call)")
    async def places(
        cell: Annotated[list[str], Query(min_length=1, max_length=MAX_CELLS, description="H3 cells, repeatable")],
    ) -> Places:
        bad = [c for c in cell if len(c) > 16 or not h3.is_valid_cell(c)]
        if bad:
            raise ApiError(
                400,
                "invalid_cell",
                "Nieprawidłowy identyfikator komórki H3.",
                "Invalid H3 cell id.",
                details=[{"field": "cell", "reason": "invalid", "message": c[:32]} for c in bad[:5]],
            )
        j = holder.current()
        out = []
        for c in dict.fromkeys(cell):
            lat, lon = h3.cell_to_latlng(c)
            decision = j.route(lat=lat, lon=lon)
            if decision.unit_id is None or decision.powiat_teryt is None:
                continue
            name = gazetteer.name(
                lat=lat,
                lon=lon,
                powiat_teryt=decision.powiat_teryt,
                powiat_name_pl=j.powiat_name(decision.powiat_teryt) or "",
                cell=c,
            )
            if name is not None:
                out.append(
                    CellPlace(
                        cell=c,
                        locality=name.locality,
                        label_pl=name.label_pl,
                        label_en=name.label_en,
                        distance_km=name.distance_km,
                        powiat_teryt=name.powiat_teryt,
                        powiat_name_pl=name.powiat_name_pl,
                        voivodeship_name_pl=name.voivodeship_name_pl,
                        powiat_population=name.powiat_population,
                        unit_id=decision.unit_id,
                    )
                )
        return Places(places=out, source=gazetteer.source)

    @router.get("/units/{unit_id}/territory", response_model=Territory, summary="A unit's land as H3 cells")
    async def territory(unit_id: Annotated[str, Path(max_length=64)]) -> Territory:
        j = holder.current()
        cells = j.territory(unit_id)
        if cells is None:
            raise ApiError(404, "unit_not_found", "Nie ma takiej jednostki.", "No such unit.")
        return Territory(unit_id=unit_id, cells=cells, jurisdiction_version=j.version)

    return router
