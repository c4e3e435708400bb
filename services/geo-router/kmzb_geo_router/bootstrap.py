"""Composition root of the geo-router: settings, jurisdiction, faust agent and admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kmzb_common.http import install_common_routes
from kmzb_common.kafka import broker_reachable
from kmzb_common.streams import RecoveryGate, create_faust_app

from .domain.jurisdiction import CellResolutions, load_jurisdiction
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .settings import GeoRouterSettings

__all__ = ["create_app"]


def create_app(settings: GeoRouterSettings) -> FastAPI:
    """Build the geo-router's ASGI app; the faust worker runs inside its lifespan."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path)
    resolutions = CellResolutions(dedup=settings.dedup_resolution, hotspot=settings.hotspot_resolution)
    state: dict[str, RecoveryGate] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        faust_app = create_faust_app(settings.faust_app_id, settings)
        register_agents(faust_app, settings, jurisdiction=lambda: jurisdiction)
        state["gate"] = RecoveryGate(faust_app)
        await faust_app.start()
        try:
            yield
        finally:
            await faust_app.stop()

    async def broker_check() -> None:
        if not await broker_reachable(settings.kafka_bootstrap):
            raise RuntimeError("Kafka broker unreachable")

    async def stream_check() -> None:
        await state["gate"].check()

    app = FastAPI(title="KMZB geo-router", version="1.0.0", lifespan=lifespan)
    install_common_routes(app, checks={"broker": broker_check, "stream": stream_check})
    app.include_router(build_router(lambda: jurisdiction, resolutions))
    return app
