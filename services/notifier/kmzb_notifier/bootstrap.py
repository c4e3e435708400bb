"""Composition root of the notifier: settings, stores, clock, use cases, agents, timers and API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, FastAPI
from pymongo.database import Database

from kmzb_common.auth import TokenIssuer, TokenVerifier, principal_dependency
from kmzb_common.clock import Clock, utc_now
from kmzb_common.mongo import get_database
from kmzb_common.service import create_stream_service
from kmzb_contracts import load_catalogue

from .adapters.feed_store import FeedStore
from .adapters.locks import LockStore, MongoLockStore
from .adapters.officers import Officer, OfficerDirectory
from .adapters.outbox import Outbox
from .adapters.partners import load_partners
from .adapters.task_store import BeatStore, TaskStore
from .adapters.webhooks import HttpWebhookSender, WebhookSender, WebhookStore
from .entrypoints.agents import register_agents
from .entrypoints.api import JWKS_SETTING, build_router
from .entrypoints.open_data_api import build_open_data_router
from .entrypoints.task_routes import build_task_router
from .settings import NotifierSettings
from .workflow import Access, Commands, Emitter, LatePublisher, Notifier, Publisher, Reports, Timers, Views
from .workflow.desk import TaskDesk
from .workflow.locks import EditLocks

__all__ = ["create_app", "build_notifier", "build_routes", "auth_parts"]


def build_notifier(
    settings: NotifierSettings,
    db: Database[Any],
    *,
    publisher: Publisher,
    clock: Clock = utc_now,
    sender: WebhookSender | None = None,
    locks: LockStore | None = None,
) -> Notifier:
    """The use cases over ``db``; tests pass a fake clock, publisher, sender and lock store."""
    tasks, beats, feeds, webhooks = TaskStore(db), BeatStore(db), FeedStore(db), WebhookStore(db)
    emitter = Emitter(outbox=Outbox(db), feeds=feeds, webhooks=webhooks, publisher=publisher, clock=clock)
    for beat in settings.beats:
        beats.seed(beat.officer_id, unit_id=beat.unit_id, cells=beat.cells)
    access = Access(tasks)
    catalogue = load_catalogue()
    edit_locks = EditLocks(
        locks=locks if locks is not None else MongoLockStore(db), tasks=tasks, feeds=feeds, access=access, clock=clock
    )
    return Notifier(
        reports=Reports(tasks=tasks, beats=beats, emitter=emitter, deadlines=settings.deadlines, clock=clock),
        commands=Commands(
            tasks=tasks,
            beats=beats,
            webhooks=webhooks,
            access=access,
            locks=edit_locks,
            partners=load_partners(settings.partners_file),
            catalogue=catalogue,
            emitter=emitter,
            clock=clock,
        ),
        timers=Timers(
            tasks=tasks,
            webhooks=webhooks,
            sender=sender or HttpWebhookSender(timeout_s=settings.webhooks.timeout_s),
            emitter=emitter,
            settings=settings.webhooks,
            clock=clock,
        ),
        views=Views(
            tasks=tasks,
            beats=beats,
            feeds=feeds,
            webhooks=webhooks,
            access=access,
            catalogue=catalogue,
            settings=settings,
            clock=clock,
        ),
        emitter=emitter,
        clock=clock,
    )


def auth_parts(settings: NotifierSettings) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    """The token verifier (when keys are configured) and the demo-login issuer (dev mode only)."""
    auth = settings.auth
    verifier = TokenVerifier(auth) if auth.configured else None
    issuer = TokenIssuer(auth) if auth.dev_login and auth.hs256_secret else None
    return verifier, issuer


def build_routes(
    notifier: Notifier, settings: NotifierSettings, *, verifier: TokenVerifier | None, issuer: TokenIssuer | None
) -> APIRouter:
    """Every HTTP route of the notifier: the API and the console's task routes."""
    officers = OfficerDirectory(
        (Officer(o.officer_id, o.name, tuple(o.units)) for o in settings.officers),
        include_demo=issuer is not None,
    )
    router = APIRouter()
    router.include_router(build_router(notifier, verifier=verifier, issuer=issuer))
    commands = notifier.commands
    desk = TaskDesk(
        tasks=commands.tasks,
        beats=commands.beats,
        feeds=notifier.emitter.feeds,
        access=commands.access,
        commands=commands,
        locks=commands.locks,
        officers=officers,
        catalogue=notifier.views.catalogue,
        clock=notifier.clock,
    )
    principal_of = principal_dependency(verifier, jwks_setting=JWKS_SETTING)
    router.include_router(build_task_router(desk, principal_of=principal_of))
    router.include_router(build_open_data_router(notifier))
    return router


def create_app(settings: NotifierSettings, *, clock: Clock = utc_now) -> FastAPI:
    """Build the notifier's ASGI app."""
    db = get_database(settings)
    publisher = LatePublisher()
    notifier = build_notifier(settings, db, publisher=publisher, clock=clock)
    app_id = settings.stream_app_id
    if settings.store_is_ephemeral:
        # The in-process store starts empty: a fresh group replays the input topics from the
        # start and rebuilds the tasks (idempotent by report and event id).
        app_id = f"{app_id}-{uuid.uuid4().hex[:8]}"
    verifier, issuer = auth_parts(settings)
    return create_stream_service(
        title="KMZB notifier",
        settings=settings,
        app_id=app_id,
        register=lambda app: register_agents(app, settings, notifier=notifier, publisher=publisher),
        router=build_routes(notifier, settings, verifier=verifier, issuer=issuer),
        db=db,
    )
