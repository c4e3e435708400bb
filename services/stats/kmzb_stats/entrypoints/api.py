"""Dashboard API of the stats service.

Public views: hexagons, top hotspots and time series apply k-anonymity; the all-time ``/hotspots``
counts per resolution-8 cell (~0.7 km², coarser than the public map of threats itself) do not.
The per-unit views (emerging hotspots, recurrences with their report ids, patrol recommendations)
need an officer's bearer token covering the unit.
"""

# No postponed annotations here: FastAPI must evaluate the route-local ``PrincipalDep``.
import re
from typing import Annotated, Any, Literal

import h3
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from kmzb_common.auth import Principal, TokenVerifier, principal_dependency
from kmzb_common.http import ApiError
from kmzb_common.mongo import run_db
from kmzb_contracts import load_catalogue

from ..adapters.hotspot_store import HotspotStore
from ..domain.counts import Layer
from ..domain.hotspots import feature_collection
from ..domain.patrols import TIME_BAND_LABELS_EN, TIME_BAND_LABELS_PL
from ..domain.windows import Window
from ..workflow.dashboard import Dashboard, Filter

__all__ = ["build_router"]

GEOJSON = "application/geo+json"
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

UnitId = Annotated[str, Path(pattern=r"^[A-Z0-9-]{1,32}$", description="Police unit id, e.g. KMP-1261")]
UnitQuery = Annotated[str | None, Query(pattern=r"^[A-Z0-9-]{1,32}$", description="Only this unit and its subunits")]
CategoryQuery = Annotated[str | None, Query(max_length=64, description="Category code of the layer")]
LayerQuery = Annotated[Layer, Query(description="Residents' reports or an imported statistics layer")]
WindowQuery = Annotated[Window, Query(description="1h tumbling, 7d or 28d hopping (daily at UTC midnight)")]


def check_category(layer: Layer, category: str | None) -> None:
    if category is None:
        return
    known = load_catalogue().get(category) is not None if layer == Layer.REPORTS else bool(_CODE.match(category))
    if not known:
        raise ApiError(400, "unknown_category", "Nieznana kategoria zagrożenia.", "Unknown threat category.")


def _forbidden() -> ApiError:
    return ApiError(
        403, "forbidden", "Brak uprawnień do danych tej jednostki.", "You have no access to this unit's data."
    )


def build_router(store: HotspotStore, dashboard: Dashboard, *, verifier: TokenVerifier | None) -> APIRouter:
    """Routes over the hotspot read models; officers' routes check the bearer token's unit scope."""
    router = APIRouter(prefix="/api/v1", tags=["hotspots"])

    PrincipalDep = Annotated[Principal, Depends(principal_dependency(verifier, jwks_setting="KMZB_STATS_AUTH__JWKS"))]

    async def require_unit(principal: Principal, unit_id: str) -> None:
        if not principal.covers(await run_db(dashboard.chain_of, unit_id)):
            raise _forbidden()

    @router.get(
        "/hotspots",
        summary="All-time report counts per H3 cell (r8, ~0.7 km²) and category as GeoJSON hexagons",
        responses={200: {"content": {GEOJSON: {}}}},
    )
    async def hotspots(
        category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
        min_count: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> Any:
        check_category(Layer.REPORTS, category)
        cells = await run_db(store.cells, category=category, min_total=min_count)
        return JSONResponse(feature_collection(cells), media_type=GEOJSON)

    @router.get(
        "/hexagons",
        summary="Public: counts and Gi* z-scores per H3 hexagon for a layer, category, window and unit",
        responses={200: {"content": {GEOJSON: {}}}},
    )
    async def hexagons(
        layer: LayerQuery = Layer.REPORTS,
        category: CategoryQuery = None,
        window: WindowQuery = Window.WEEK,
        unit_id: UnitQuery = None,
        resolution: Annotated[int, Query(ge=5, le=8, description="8 = hotspot cells; coarser rolls up")] = 8,
    ) -> Any:
        check_category(layer, category)
        f = Filter(layer, category, window, unit_id)
        return JSONResponse(await run_db(dashboard.hexagons, f, resolution=resolution), media_type=GEOJSON)

    @router.get(
        "/hotspots/top",
        summary="Public: the top-N Gi* hot spots (cells with at least k reports) or cold spots, with place names",
        responses={200: {"content": {GEOJSON: {}}}},
    )
    async def top_hotspots(
        layer: LayerQuery = Layer.REPORTS,
        category: CategoryQuery = None,
        window: WindowQuery = Window.WEEK,
        unit_id: UnitQuery = None,
        n: Annotated[int, Query(ge=1, le=100)] = 10,
        kind: Annotated[Literal["hot", "cold"], Query(description="Hot spots (highest z) or cold spots")] = "hot",
    ) -> Any:
        check_category(layer, category)
        f = Filter(layer, category, window, unit_id)
        return JSONResponse(await run_db(dashboard.top_hotspots, f, n=n, kind=kind), media_type=GEOJSON)

    @router.get(
        "/powiats",
        summary="Public: reports per powiat in a window, per 10,000 residents where the population is known",
    )
    async def powiats(
        layer: LayerQuery = Layer.REPORTS,
        category: CategoryQuery = None,
        window: WindowQuery = Window.FOUR_WEEKS,
        unit_id: UnitQuery = None,
    ) -> dict[str, Any]:
        check_category(layer, category)
        return await run_db(dashboard.powiat_rates, Filter(layer, category, window, unit_id))

    @router.get(
        "/categories/counts",
        summary="Public: counts per category over a window (categories with fewer than k reports withheld)",
    )
    async def category_counts(
        layer: LayerQuery = Layer.REPORTS,
        window: WindowQuery = Window.FOUR_WEEKS,
        unit_id: UnitQuery = None,
    ) -> dict[str, Any]:
        return await run_db(dashboard.category_counts, Filter(layer, None, window, unit_id))

    @router.get("/timeseries", summary="Public: counts per hour or day over a window (points below k withheld)")
    async def time_series(
        layer: LayerQuery = Layer.REPORTS,
        category: CategoryQuery = None,
        window: WindowQuery = Window.FOUR_WEEKS,
        unit_id: UnitQuery = None,
        step: Annotated[Literal["hour", "day"], Query(description="Length of one point")] = "day",
    ) -> dict[str, Any]:
        check_category(layer, category)
        if step == "day" and window == Window.HOUR:
            raise ApiError(400, "invalid_step", "Krok dzienny w oknie godzinowym.", "A daily step in an hourly window.")
        f = Filter(layer, category, window, unit_id)
        return await run_db(dashboard.time_series, f, step_hours=24 if step == "day" else 1)

    @router.get(
        "/units/{unit_id}/emerging-hotspots",
        summary="For officers of the unit (bearer token): cells above their baseline this week",
    )
    async def emerging(unit_id: UnitId, principal: PrincipalDep, category: CategoryQuery = None) -> dict[str, Any]:
        await require_unit(principal, unit_id)
        check_category(Layer.REPORTS, category)
        found = await run_db(dashboard.emerging, Filter(Layer.REPORTS, category, Window.WEEK, unit_id))
        return {
            "unit_id": unit_id,
            "hotspots": [
                {"cell": e.cell, "current": e.current, "baseline_mean": round(e.baseline_mean, 3), "score": e.score}
                for e in found
            ],
        }

    @router.get(
        "/units/{unit_id}/recurrences",
        summary="For officers of the unit (bearer token): threats reported again after they were eliminated",
    )
    async def recurrences(
        unit_id: UnitId,
        principal: PrincipalDep,
        category: CategoryQuery = None,
        days: Annotated[int, Query(ge=1, le=56)] = 28,
    ) -> dict[str, Any]:
        await require_unit(principal, unit_id)
        check_category(Layer.REPORTS, category)
        flags = await run_db(dashboard.recurrences, unit_id, category=category, days=days)
        return {
            "unit_id": unit_id,
            "recurrences": [
                {
                    "report_id": f.sighting.report_id,
                    "category": f.sighting.category,
                    "cell": f.sighting.dedup_cell,
                    "seen_at": f.sighting.at.isoformat(),
                    "eliminated_task_id": f.elimination.task_id,
                    "eliminated_cell": f.elimination.dedup_cell,
                    "eliminated_at": f.elimination.eliminated_at.isoformat(),
                }
                for f in flags
            ],
        }

    @router.get(
        "/units/{unit_id}/patrol-recommendations",
        summary="For officers of the unit (bearer token): dyslokacja służb, cells and times to patrol, with reasons",
    )
    async def patrol_recommendations(
        unit_id: UnitId,
        principal: PrincipalDep,
        category: CategoryQuery = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        await require_unit(principal, unit_id)
        check_category(Layer.REPORTS, category)
        recs = await run_db(dashboard.patrol_recommendations, unit_id, category=category, limit=limit)
        places = await run_db(dashboard.places, [r.cell for r in recs])
        out = []
        for rank, r in enumerate(recs, start=1):
            lat, lon = h3.cell_to_latlng(r.cell)
            out.append(
                {
                    "rank": rank,
                    "cell": r.cell,
                    "centre": {"lat": round(lat, 6), "lon": round(lon, 6)},
                    "place_pl": places[r.cell].label_pl if r.cell in places else None,
                    "place_en": places[r.cell].label_en if r.cell in places else None,
                    "score": r.score,
                    "time_bands": [
                        {"code": str(b), "label_pl": TIME_BAND_LABELS_PL[b], "label_en": TIME_BAND_LABELS_EN[b]}
                        for b in r.time_bands
                    ],
                    "categories": list(r.categories),
                    "reasons": [
                        {"code": x.code, "value": x.value, "message_pl": x.message_pl, "message_en": x.message_en}
                        for x in r.reasons
                    ],
                }
            )
        return {"unit_id": unit_id, "window": str(Window.FOUR_WEEKS), "recommendations": out}

    return router
