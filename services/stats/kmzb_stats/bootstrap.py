"""Composition root of the stats service: settings, stores, stream agents and dashboard API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, FastAPI

from kmzb_common.auth import TokenVerifier
from kmzb_common.mongo import get_database
from kmzb_common.service import create_stream_service

from .adapters.deadline_store import DeadlineStore, MongoDeadlineStore
from .adapters.geodata import Geodata, HttpGeodata, StaticGeodata
from .adapters.hotspot_store import HotspotStore
from .adapters.stats_store import StatsStore
from .domain.deadlines import Deadlines
from .domain.gi_star import StudyArea
from .domain.study_area import outline_study_area, poland_outline
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .entrypoints.deadline_agents import register_deadline_agents
from .entrypoints.deadlines_api import build_deadlines_router
from .entrypoints.open_data_api import build_open_data_router
from .settings import StatsSettings
from .workflow.accountability import Accountability
from .workflow.dashboard import HOTSPOT_RESOLUTION, Dashboard

__all__ = ["create_app", "build_dashboard", "build_accountability", "follow_counts"]

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_dashboard(
    store: StatsStore,
    settings: StatsSettings,
    *,
    clock: Callable[[], datetime] = _utc_now,
    study_area: Callable[[], StudyArea] | None = None,
    geodata: Geodata | None = None,
) -> Dashboard:
    """The dashboard over ``store``; the study area defaults to the outline of Poland at the hotspot resolution."""
    return Dashboard(
        store,
        study_area=study_area
        or (lambda: outline_study_area(poland_outline(), resolution=HOTSPOT_RESOLUTION, k=settings.gi_star_k)),
        clock=clock,
        k_anonymity=settings.k_anonymity,
        coarsest_resolution=settings.k_anonymity_coarsest_resolution,
        baseline_weeks=settings.baseline_weeks,
        gi_star_k=settings.gi_star_k,
        geodata=geodata if geodata is not None else _geodata(settings),
    )


def _geodata(settings: StatsSettings) -> Geodata | None:
    return HttpGeodata(settings.geo_router_url) if settings.geo_router_url else None


def build_accountability(
    store: DeadlineStore,
    settings: StatsSettings,
    *,
    geodata: Geodata | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Accountability:
    """The public deadline figures over ``store``, with the deadlines of the settings."""
    return Accountability(
        store,
        geodata=geodata if geodata is not None else (_geodata(settings) or StaticGeodata()),
        deadlines=Deadlines(
            review=timedelta(days=settings.review_deadline_days),
            verification=timedelta(days=settings.verification_deadline_days),
        ),
        clock=clock,
    )


def create_app(settings: StatsSettings) -> FastAPI:
    """Build the stats service's ASGI app."""
    db = get_database(settings)
    store = HotspotStore(db)
    stats_store = StatsStore(db)
    verifier = TokenVerifier(settings.auth) if settings.auth.configured else None
    deadline_store = MongoDeadlineStore(db)
    geodata = _geodata(settings)
    dashboard = build_dashboard(stats_store, settings, geodata=geodata)
    accountability = build_accountability(deadline_store, settings, geodata=geodata)
    # The national study area takes seconds to build: built now, so the dashboard's first view does not wait.
    threading.Thread(target=dashboard.study_area, name="study-area", daemon=True).start()
    threading.Thread(
        target=follow_counts,
        args=(stats_store, settings.counts_view_catch_up_s),
        # The place names of the counted cells are asked of the geo-router once, before a reader needs them.
        kwargs={"on_loaded": lambda: dashboard.places(stats_store.view.cells())},
        name="counts-view",
        daemon=True,
    ).start()
    return create_stream_service(
        title="KMZB stats",
        settings=settings,
        app_id=settings.stream_app_id,
        register=lambda app: _all_ready(
            register_agents(app, settings, store=store, stats_store=stats_store),
            register_deadline_agents(app, settings, store=deadline_store),
        ),
        router=_routers(
            build_router(store, dashboard, verifier=verifier),
            build_deadlines_router(accountability),
            build_open_data_router(stats_store, k_anonymity=settings.k_anonymity, clock=_utc_now),
        ),
        db=db,
    )


def follow_counts(
    store: StatsStore,
    every_s: float,
    *,
    stop: threading.Event | None = None,
    on_loaded: Callable[[], object] | None = None,
) -> None:
    """Load the store's counts view, then read back other replicas' writes every ``every_s`` (0: never)."""
    stop = stop or threading.Event()
    while True:
        try:
            since = store.load_view()
            break
        except Exception:  # noqa: BLE001 - the store answers itself meanwhile; tried again
            log.exception("counts view not loaded; trying again")
            if stop.wait(5.0):
                return
    log.info("counts view loaded", extra={"buckets": len(store.view)})
    if on_loaded is not None:
        try:
            on_loaded()
        except Exception:  # noqa: BLE001 - a warm-up only: readers fetch what they need themselves
            log.exception("counts view warm-up failed")
    while every_s > 0 and not stop.wait(every_s):
        try:
            since = store.catch_up_view(since)
        except Exception:  # noqa: BLE001 - the next round reads from the same time again
            log.exception("counts view not caught up")


def _all_ready(*checks: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        for c in checks:
            await c()

    return check


def _routers(*routers: APIRouter) -> APIRouter:
    out = APIRouter()
    for r in routers:
        out.include_router(r)
    return out
