"""Run a service's ASGI app with uvicorn; SIGTERM and SIGINT stop it gracefully."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from .logs import configure_logging
from .settings import ServiceSettings

__all__ = ["serve"]


def serve(create_app: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings) -> None:
    """Configure logging and serve ``create_app(settings)`` until a stop signal."""
    configure_logging(
        settings.service_name,
        level=settings.log_level,
        json_lines=settings.log_json,
        event_sample=settings.log_event_sample,
    )
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
