"""The one way a stream service is assembled: FastAPI outside, a faust worker in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import faust
from fastapi import APIRouter, FastAPI
from pymongo.database import Database

from .api_docs import create_api
from .http import ReadinessCheck, install_common_routes
from .kafka import broker_reachable
from .mongo import ping, run_db
from .settings import ServiceSettings
from .streams import RecoveryGate, create_faust_app

__all__ = ["create_stream_service"]


def create_stream_service(
    *,
    title: str,
    settings: ServiceSettings,
    app_id: str,
    register: Callable[[faust.App], ReadinessCheck | None],
    router: APIRouter,
    db: Database[Any] | None = None,
) -> FastAPI:
    """An ASGI app whose lifespan runs a faust app with the agents ``register`` declares.

    /readyz checks the broker, the store (when ``db`` is given) and that the worker finished
    its first rebalance and table recovery, plus the check ``register`` may return (e.g. that the
    read models were rebuilt from the recovered tables).
    """
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        faust_app = create_faust_app(app_id, settings)
        state["agents"] = register(faust_app)
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
        gate = state.get("gate")
        if gate is None:
            raise RuntimeError("stream worker not started")
        await gate.check()
        if state.get("agents") is not None:
            await state["agents"]()

    checks: dict[str, ReadinessCheck] = {"broker": broker_check, "stream": stream_check}
    if db is not None:

        async def store_check() -> None:
            await run_db(ping, db)

        checks["store"] = store_check

    app = create_api(title=title, version="1.0.0", lifespan=lifespan)
    install_common_routes(app, checks=checks)
    app.include_router(router)
    return app
