"""Composition root of the geo-router: settings, jurisdiction, routing agent and admin API."""

from __future__ import annotations

from fastapi import FastAPI

from kmzb_common.service import create_stream_service

from .domain.jurisdiction import CellResolutions, load_jurisdiction
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .settings import GeoRouterSettings

__all__ = ["create_app"]


def create_app(settings: GeoRouterSettings) -> FastAPI:
    """Build the geo-router's ASGI app."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path)
    resolutions = CellResolutions(dedup=settings.dedup_resolution, hotspot=settings.hotspot_resolution)
    return create_stream_service(
        title="KMZB geo-router",
        settings=settings,
        app_id=settings.stream_app_id,
        register=lambda app: register_agents(app, settings, jurisdiction=lambda: jurisdiction, resolutions=resolutions),
        router=build_router(lambda: jurisdiction, resolutions),
    )
