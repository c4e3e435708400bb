"""Composition root of the notifier: settings, store, task agent and task API."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from kmzb_common.mongo import get_database
from kmzb_common.service import create_stream_service

from .adapters.task_store import TaskStore
from .entrypoints.agents import register_agents
from .entrypoints.api import build_router
from .settings import NotifierSettings

__all__ = ["create_app"]


def create_app(settings: NotifierSettings) -> FastAPI:
    """Build the notifier's ASGI app."""
    db = get_database(settings)
    store = TaskStore(db)
    app_id = settings.stream_app_id
    if settings.store_is_ephemeral:
        # The in-process store starts empty: a fresh group replays the routed topic from the
        # start and rebuilds the tasks (idempotent by task id).
        app_id = f"{app_id}-{uuid.uuid4().hex[:8]}"
    return create_stream_service(
        title="KMZB notifier",
        settings=settings,
        app_id=app_id,
        register=lambda app: register_agents(app, settings, store=store),
        router=build_router(store),
        db=db,
    )
