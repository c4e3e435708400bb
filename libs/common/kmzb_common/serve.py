"""Run a service's ASGI app with uvicorn; SIGTERM and SIGINT stop it gracefully."""

from __future__ import annotations

import gc
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from .logs import configure_logging
from .settings import ServiceSettings

__all__ = ["serve", "tune_gc"]


def serve(create_app: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings) -> None:
    """Configure logging and serve ``create_app(settings)`` until a stop signal."""
    configure_logging(
        settings.service_name,
        level=settings.log_level,
        json_lines=settings.log_json,
        event_sample=settings.log_event_sample,
    )
    app = create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        # uvicorn's default of 5 s is below the idle timeout of most client pools (aiohttp 15 s,
        # browsers a minute or more): a connection it closed just as a client reused it reached
        # that client as a dropped connection (the ServerDisconnectedError of bench/faults.py).
        timeout_keep_alive=settings.http_keep_alive_s,
        timeout_graceful_shutdown=10,
    )


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a long-running service.

    CPython's default (a young collection every 700 allocations, a full one every 100 young ones)
    made about a tenth of intake's CPU time under load, and its full passes walked the whole
    in-process store. What exists after start-up (modules, the app, indexes) is frozen out of
    every pass, and the young generation is collected every 10,000 allocations.
    """
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
