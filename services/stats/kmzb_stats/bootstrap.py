"""Composition root of the stats service: settings, store, counting agent and dashboard API."""

from __future__ import annotations

from fastapi import FastAPI

from kmzb_common.mongo import get_database
from kmzb_common.service import create_stream_service

from .adapters.hotspot_store import HotspotStore
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .settings import StatsSettings

__all__ = ["create_app"]


def create_app(settings: StatsSettings) -> FastAPI:
    """Build the stats service's ASGI app."""
    db = get_database(settings)
    store = HotspotStore(db)
    return create_stream_service(
        title="KMZB stats",
        settings=settings,
        app_id=settings.stream_app_id,
        register=lambda app: register_agents(app, settings, store=store),
        router=build_router(store),
        db=db,
    )
