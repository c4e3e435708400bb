"""Composition root of the intake: settings, producer, read models, the use cases and every entrypoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiokafka.errors import KafkaError
from fastapi import FastAPI
from pymongo.database import Database

from kmzb_common.api_docs import create_api
from kmzb_common.auth import TokenVerifier
from kmzb_common.clock import Clock, utc_now
from kmzb_common.http import ReadinessCheck, install_common_routes, install_load_shedding
from kmzb_common.kafka import broker_reachable, create_producer
from kmzb_common.mongo import get_database, ping, run_db
from kmzb_common.retry import retry
from kmzb_contracts import load_catalogue

from .adapters.attachments import MongoAttachmentStore
from .adapters.guards import DeviceLimiter, IdempotencyStore
from .adapters.publisher import EventPublisher, KafkaPublisher
from .adapters.report_store import ReportStore
from .adapters.threats import ConfirmationStore, ImportLedger, ThreatStore
from .domain.emergency import load_detector
from .domain.outline import load_outline
from .entrypoints.api import build_router
from .entrypoints.attachments import build_attachment_router
from .entrypoints.officer import build_officer_router
from .entrypoints.open311 import build_open311_router
from .entrypoints.projection import run_projection
from .entrypoints.support import DeviceResolver, Idempotency, install_notice_header
from .entrypoints.web import mount_web
from .settings import IntakeSettings
from .workflow import IntakeService, PublicReports

__all__ = ["create_app", "build_service", "build_api"]


def build_service(
    settings: IntakeSettings,
    db: Database[Any],
    *,
    publisher: Callable[[], EventPublisher],
    clock: Clock = utc_now,
) -> IntakeService:
    """The use cases over MongoDB adapters and the given publisher."""
    threats = ThreatStore(db)
    threats.ensure_indexes()
    reports = ReportStore(db)
    reports.ensure_indexes()
    limiter = DeviceLimiter(db, window=timedelta(hours=settings.report_limit_window_h))
    limiter.ensure_indexes()
    return IntakeService(
        catalogue=load_catalogue(settings.catalogue_path),
        outline=load_outline(),
        detector=load_detector(),
        publisher=publisher,
        topics=settings.topics,
        reports=reports,
        limiter=limiter,
        attachments=MongoAttachmentStore(db),
        threats=threats,
        confirmations=ConfirmationStore(db),
        ledger=ImportLedger(db),
        clock=clock,
        occurred_max_age=timedelta(days=settings.occurred_max_age_days),
        statistics_max_age=timedelta(days=settings.statistics_max_age_days),
        nearby_rings=settings.nearby_rings,
    )


def build_api(app: FastAPI, settings: IntakeSettings, service: IntakeService, db: Database[Any]) -> PublicReports:
    """Mount every HTTP entrypoint of the intake on ``app``; the public look-ups, for the pages too."""
    devices = DeviceResolver(settings)
    records = IdempotencyStore(db, ttl=timedelta(hours=settings.idempotency_ttl_h))
    records.ensure_indexes()
    idempotency = Idempotency(records, service.clock)
    public = PublicReports(service.reports, service.catalogue, service.clock)
    install_notice_header(app)
    app.include_router(build_router(service, public, devices=devices, idempotency=idempotency))
    app.include_router(
        build_open311_router(service, public, settings=settings, devices=devices, idempotency=idempotency)
    )
    verifier = TokenVerifier(settings.auth)
    app.include_router(build_attachment_router(service, verifier=verifier))
    app.include_router(
        build_officer_router(
            service,
            verifier=verifier,
            idempotency=idempotency,
            import_max_bytes=settings.import_max_bytes,
        )
    )
    return public


def create_app(settings: IntakeSettings) -> FastAPI:
    """Build the intake's ASGI app."""
    db = get_database(settings)
    state: dict[str, KafkaPublisher] = {}
    service = build_service(settings, db, publisher=lambda: state["publisher"])
    projection_ready = asyncio.Event()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        producer = create_producer(settings)
        await retry(producer.start, on=KafkaError, what="producer start", attempts=8, wait_initial_s=0.5)
        state["publisher"] = KafkaPublisher(producer, timeout_s=settings.kafka_request_timeout_s)
        projection = asyncio.create_task(
            run_projection(settings, reports=service.reports, threats=service.threats, ready=projection_ready)
        )
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
    app = create_api(
        title="KMZB intake",
        version="1.0.0",
        description="Przyjmowanie zgłoszeń zagrożeń. W nagłych wypadkach dzwoń pod 112 lub 997.",
        lifespan=lifespan,
    )
    install_common_routes(app, checks=checks)
    # The pages' proxy to the other services (/svc/...) carries never-ending SSE feeds: not counted.
    install_load_shedding(app, max_in_flight=settings.max_in_flight, exempt_prefixes=("/svc/",))
    public = build_api(app, settings, service, db)
    mount_web(app, settings, public=public)
    return app
