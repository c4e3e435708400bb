"""Admin API of the geo-router: unit lookup, unit list and search, jurisdiction index versions."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kmzb_common.auth import Principal, Role
from kmzb_common.http import ApiError
from kmzb_contracts import H3Cells, UnitRef

from ..adapters.jurisdiction_files import JurisdictionHolder
from ..domain.jurisdiction import CellResolutions, Jurisdiction, JurisdictionError, Unit
from ..domain.places import Place, PlaceIndex

PLACES_ATTRIBUTION = "Miejscowości: GeoNames (geonames.org), CC BY 4.0"
# A point this close to another unit's area gets a warning to check the side of the boundary.
BOUNDARY_CHECK_M = 300.0
NEAREST_PLACE_WITHIN_M = 15_000.0

__all__ = ["build_router"]

MAX_INDEX_BYTES = 8 * 1024 * 1024


class PlaceOut(BaseModel):
    """A locality of the gazetteer, told apart from others of the same name by powiat and voivodeship."""

    name: str
    powiat: str = Field(description="'powiat wielicki', or for a city with powiat rights the city: 'Kraków'")
    powiat_teryt: str = Field(description="TERYT code of the powiat (4 digits)")
    voivodeship: str = Field(description="Voivodeship, lower case: 'małopolskie'")
    population: int
    lat: float
    lon: float
    distance_m: float | None = Field(default=None, description="From the looked-up point, when nearest")

    @classmethod
    def of(cls, p: Place, *, distance: float | None = None) -> PlaceOut:
        return cls(
            name=p.name,
            powiat=p.powiat,
            powiat_teryt=p.powiat_teryt,
            voivodeship=p.voivodeship,
            population=p.population,
            lat=p.lat,
            lon=p.lon,
            distance_m=round(distance) if distance is not None else None,
        )


class PlacesOut(BaseModel):
    """Suggestions for a typed name."""

    places: list[PlaceOut]
    attribution: str


class UnitLookup(BaseModel):
    """The unit that owns a point, with its chain, the place's TERYT codes and its cells."""

    unit_id: str
    unit_chain: list[UnitRef]
    powiat_teryt: str = Field(description="TERYT code of the powiat (4 digits)")
    powiat_name_pl: str
    voivodeship_teryt: str = Field(description="TERYT code of the voivodeship (2 digits)")
    offshore: bool = Field(description="Point outside the land cells, owned by the coast and border rule")
    cells: H3Cells
    jurisdiction_version: str
    near_boundary: bool = Field(
        description=f"Another unit owns a point within {BOUNDARY_CHECK_M:.0f} m: check the side of the boundary"
    )
    place: PlaceOut | None = Field(
        default=None, description=f"Nearest locality within {NEAREST_PLACE_WITHIN_M / 1000:.0f} km"
    )


class UnitOut(BaseModel):
    """A unit with its parent, TERYT code and contacts per category group."""

    unit_id: str
    name_pl: str
    type: str
    parent: str | None
    teryt: str | None
    contacts: dict[str, list[str]]

    @classmethod
    def of(cls, u: Unit) -> UnitOut:
        return cls(
            unit_id=u.unit_id,
            name_pl=u.name_pl,
            type=u.type.value,
            parent=u.parent,
            teryt=u.teryt,
            contacts={g: list(v) for g, v in u.contacts.items()},
        )


class IndexVersion(BaseModel):
    """The jurisdiction index version in force on this worker."""

    jurisdiction_version: str
    units: int
    index_entries: int


def _not_found(code: str, pl: str, en: str) -> ApiError:
    return ApiError(404, code, pl, en)


def _near_boundary(j: Jurisdiction, *, lat: float, lon: float, unit_id: str) -> bool:
    """Whether a point ~300 m away in any of eight directions belongs to another unit."""
    dlat = BOUNDARY_CHECK_M / 111_320.0
    dlon = dlat / max(0.1, math.cos(math.radians(lat)))
    for k in range(8):
        angle = k * math.pi / 4
        other = j.route(lat=lat + dlat * math.sin(angle), lon=lon + dlon * math.cos(angle)).unit_id
        if other is not None and other != unit_id:
            return True
    return False


def build_router(
    holder: JurisdictionHolder,
    resolutions: CellResolutions,
    publish: Callable[[bytes], Awaitable[None]],
    principal: Callable[..., Principal],
    *,
    places: PlaceIndex,
) -> APIRouter:
    """Routes that read the jurisdiction index, and the one (admins only) that publishes a new version."""
    router = APIRouter(prefix="/api/v1", tags=["units"])

    @router.get("/units/lookup", response_model=UnitLookup, summary="Which unit owns a point")
    async def lookup(
        lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude")],
        lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude")],
    ) -> UnitLookup:
        j = holder.current()
        decision = j.route(lat=lat, lon=lon)
        if decision.unit_id is None or decision.powiat_teryt is None or decision.voivodeship_teryt is None:
            raise _not_found(
                "outside_jurisdiction",
                "Punkt leży poza obszarem działania Policji w Polsce.",
                "The point lies outside the area of the Polish Police.",
            )
        nearest = places.nearest(lat=lat, lon=lon, within_m=NEAREST_PLACE_WITHIN_M)
        return UnitLookup(
            unit_id=decision.unit_id,
            unit_chain=list(decision.chain),
            powiat_teryt=decision.powiat_teryt,
            powiat_name_pl=j.powiat_name(decision.powiat_teryt) or "",
            voivodeship_teryt=decision.voivodeship_teryt,
            offshore=decision.offshore,
            cells=resolutions.cells(lat=lat, lon=lon),
            jurisdiction_version=j.version,
            near_boundary=_near_boundary(j, lat=lat, lon=lon, unit_id=decision.unit_id),
            place=PlaceOut.of(nearest[0], distance=nearest[1]) if nearest else None,
        )

    @router.get("/places", response_model=PlacesOut, tags=["places"], summary="Wyszukaj miejscowość (początek nazwy)")
    async def search_places(
        q: Annotated[
            str, Query(min_length=1, max_length=100, description="Start of the name; any case, diacritics optional")
        ],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> PlacesOut:
        return PlacesOut(places=[PlaceOut.of(p) for p in places.search(q, limit=limit)], attribution=PLACES_ATTRIBUTION)

    @router.get("/units", response_model=list[UnitOut], summary="List or search units")
    async def units(
        q: Annotated[str | None, Query(max_length=100, description="Part of an id or name, or a TERYT code")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    ) -> list[UnitOut]:
        j = holder.current()
        found = j.search(q, limit=limit) if q else j.units()[:limit]
        return [UnitOut.of(u) for u in found]

    @router.get("/units/{unit_id}", response_model=UnitOut, summary="One unit")
    async def unit(unit_id: str) -> UnitOut:
        u = holder.current().unit(unit_id)
        if u is None:
            raise _not_found("unit_not_found", "Nie ma takiej jednostki.", "No such unit.")
        return UnitOut.of(u)

    @router.get("/jurisdiction", response_model=IndexVersion, summary="Index version in force")
    async def version() -> IndexVersion:
        j = holder.current()
        return IndexVersion(jurisdiction_version=j.version, units=len(j.units()), index_entries=j.cell_count())

    @router.post(
        "/jurisdiction/versions",
        status_code=202,
        response_model=IndexVersion,
        summary="Publish a new index version (body: the .json.gz file); every worker swaps it in",
    )
    async def publish_version(request: Request) -> IndexVersion:
        who = principal(request)
        if not who.has_role(Role.ADMIN):
            raise ApiError(
                403, "forbidden", "Tylko administrator publikuje indeks jurysdykcji.", "Only an admin may publish."
            )
        data = await request.body()
        if not data or len(data) > MAX_INDEX_BYTES:
            raise ApiError(
                413 if data else 400,
                "invalid_index",
                "Plik indeksu jest pusty albo za duży.",
                "The index file is empty or too large.",
            )
        try:
            candidate = holder.build(data)
        except JurisdictionError as exc:
            raise ApiError(
                422, "invalid_index", f"Nieprawidłowy indeks jurysdykcji: {exc}", f"Invalid jurisdiction index: {exc}"
            ) from exc
        await publish(data)
        return IndexVersion(
            jurisdiction_version=candidate.version, units=len(candidate.units()), index_entries=candidate.cell_count()
        )

    return router
