"""Composition root of the stats service: settings, stores, stream agents and dashboard API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from kmzb_common.auth import TokenVerifier
from kmzb_common.mongo import get_database
from kmzb_common.service import create_stream_service

from .adapters.geodata import Geodata, HttpGeodata
from .adapters.hotspot_store import HotspotStore
from .adapters.stats_store import StatsStore
from .domain.gi_star import StudyArea
from .domain.study_area import outline_study_area, poland_outline
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .settings import StatsSettings
from .workflow.dashboard import HOTSPOT_RESOLUTION, Dashboard

__all__ = ["create_app", "build_dashboard"]


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


def create_app(settings: StatsSettings) -> FastAPI:
    """Build the stats service's ASGI app."""
    db = get_database(settings)
    store = HotspotStore(db)
    stats_store = StatsStore(db)
    verifier = TokenVerifier(settings.auth) if settings.auth.configured else None
    dashboard = build_dashboard(stats_store, settings)
    # The national study area takes seconds to build: built now, so the dashboard's first view does not wait.
    threading.Thread(target=dashboard.study_area, name="study-area", daemon=True).start()
    return create_stream_service(
        title="KMZB stats",
        settings=settings,
        app_id=settings.stream_app_id,
        register=lambda app: register_agents(app, settings, store=store, stats_store=stats_store),
        router=build_router(store, dashboard, verifier=verifier),
        db=db,
    )
