"""Composition root of the intake: settings, producer, read model and the residents' API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka.errors import KafkaError
from fastapi import FastAPI

from kmzb_common.http import ReadinessCheck, install_common_routes
from kmzb_common.kafka import broker_reachable, create_producer
from kmzb_common.mongo import get_database, ping, run_db

from .adapters.publisher import ReportPublisher
from .adapters.report_store import ReportStore
from .entrypoints.api import build_router
from .entrypoints.projection import run_projection
from .entrypoints.web import mount_web
from .settings import IntakeSettings

__all__ = ["create_app"]


def create_app(settings: IntakeSettings) -> FastAPI:
    """Build the intake's ASGI app."""
    db = get_database(settings)
    store = ReportStore(db)
    state: dict[str, ReportPublisher] = {}
    projection_ready = asyncio.Event()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        producer = create_producer(settings)
        backoff = 0.5
        for attempt in range(8):
            try:
                await producer.start()
                break
            except KafkaError:
                if attempt == 7:
                    raise
                await asyncio.sleep(backoff)
                backoff *= 2
        state["publisher"] = ReportPublisher(
            producer, settings.topics.reports_submitted, timeout_s=settings.kafka_request_timeout_s
        )
        projection = asyncio.create_task(run_projection(settings, store, projection_ready))
        try:
            yield
        finally:
            projection.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await projection
            await producer.stop()

    async def broker_check() -> None:
        if not await broker_reachable(settings.kafka_bootstrap):
            raise RuntimeError("Kafka broker unreachable")

    async def store_check() -> None:
        await run_db(ping, db)

    async def projection_check() -> None:
        if not projection_ready.is_set():
            raise RuntimeError("read-model consumer not started")

    checks: dict[str, ReadinessCheck] = {"broker": broker_check, "store": store_check, "projection": projection_check}
    app = FastAPI(
        title="KMZB intake",
        version="1.0.0",
        description="Przyjmowanie zgłoszeń zagrożeń. W nagłych wypadkach dzwoń pod 112 lub 997.",
        lifespan=lifespan,
    )
    install_common_routes(app, checks=checks)
    app.include_router(build_router(settings, publisher=lambda: state["publisher"], store=store))
    mount_web(app, settings)
    return app
