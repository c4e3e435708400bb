"""Composition root of the geo-router: settings, jurisdiction, routing agent and admin API."""

from __future__ import annotations

from aiokafka.errors import KafkaError
from fastapi import APIRouter, FastAPI

from kmzb_common.auth import TokenVerifier, bearer_principal
from kmzb_common.http import ApiError
from kmzb_common.service import create_stream_service

from .adapters.index_topic import publish_index
from .adapters.jurisdiction_files import JurisdictionHolder, load_operator_units, read_index
from .adapters.jurisdiction_files import packaged as packaged_data
from .adapters.places_file import load_gazetteer, load_places
from .domain.jurisdiction import CellResolutions, Jurisdiction
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .entrypoints.geodata_api import build_geodata_router
from .settings import SAMPLE_OPERATOR_UNITS, GeoRouterSettings

__all__ = ["create_app", "load_holder"]


def load_holder(settings: GeoRouterSettings) -> JurisdictionHolder:
    """The jurisdiction from the configured index and operator units."""
    index_path = settings.jurisdiction_path or packaged_data("jurisdiction_pl.json.gz")
    operator = settings.operator_units()
    if operator == SAMPLE_OPERATOR_UNITS:
        operator = str(packaged_data(SAMPLE_OPERATOR_UNITS))
    ops = load_operator_units(operator) if operator else []
    with open(index_path, "rb") as f:
        initial = Jurisdiction(read_index(f.read()), ops)
    return JurisdictionHolder(initial, operator_units=ops)


def create_app(settings: GeoRouterSettings) -> FastAPI:
    """Build the geo-router's ASGI app."""
    holder = load_holder(settings)
    resolutions = CellResolutions()

    async def publish(data: bytes) -> None:
        try:
            await publish_index(settings, settings.index_topic, data)
        except (KafkaError, OSError) as exc:
            raise ApiError(
                503,
                "broker_unavailable",
                "Broker nie przyjął nowej wersji indeksu; spróbuj ponownie.",
                "The broker did not accept the new index version; try again.",
                headers={"Retry-After": "5"},
            ) from exc

    router = APIRouter()
    router.include_router(
        build_router(holder, resolutions, publish, bearer_principal(TokenVerifier(settings.auth)), places=load_places())
    )
    router.include_router(build_geodata_router(holder, load_gazetteer()))
    return create_stream_service(
        title="KMZB geo-router",
        settings=settings,
        app_id=settings.stream_app_id,
        register=lambda app: register_agents(app, settings, jurisdiction=holder, resolutions=resolutions),
        router=router,
    )
