"""Admin API of the geo-router: unit lookup, unit list and search, jurisdiction index versions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kmzb_common.auth import Principal, Role
from kmzb_common.http import ApiError
from kmzb_contracts import H3Cells, UnitRef

from ..adapters.jurisdiction_files import JurisdictionHolder
from ..domain.jurisdiction import CellResolutions, JurisdictionError, Unit

__all__ = ["build_router"]

MAX_INDEX_BYTES = 8 * 1024 * 1024


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


def build_router(
    holder: JurisdictionHolder,
    resolutions: CellResolutions,
    publish: Callable[[bytes], Awaitable[None]],
    principal: Callable[..., Principal],
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
        return UnitLookup(
            unit_id=decision.unit_id,
            unit_chain=list(decision.chain),
            powiat_teryt=decision.powiat_teryt,
            powiat_name_pl=j.powiat_name(decision.powiat_teryt) or "",
            voivodeship_teryt=decision.voivodeship_teryt,
            offshore=decision.offshore,
            cells=resolutions.cells(lat=lat, lon=lon),
            jurisdiction_version=j.version,
        )

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
