"""Fakes at the notifier's boundaries: a clock tests move, a publisher and a webhook sender that record."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from importlib import resources

import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_contracts import ReportRouted, decode, decode_task_event
from kmzb_notifier.bootstrap import auth_parts, build_notifier, build_routes
from kmzb_notifier.settings import NotifierSettings

SAMPLES = resources.files("kmzb_contracts") / "samples" / "v1"
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class RecordingPublisher:
    """Keeps every published event; fails while ``down``."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []
        self.down = False

    async def publish(self, *, key: bytes, value: bytes) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append((key, value))

    async def enqueue(self, *, key: bytes, value: bytes) -> asyncio.Future[None]:
        await self.publish(key=key, value=value)
        acked = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked

    def events(self, event_type: str | None = None) -> list:
        out = [decode_task_event(v) for _, v in self.sent]
        return [e for e in out if event_type is None or e.event_type == event_type]


class FlakySender:
    """A webhook receiver that fails the first ``failures`` attempts, then takes every item."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts: list[str] = []
        self.delivered: list[dict] = []

    async def send(self, url: str, *, body: str, event_id: str) -> None:
        self.attempts.append(event_id)
        if len(self.attempts) <= self.failures:
            raise RuntimeError("HTTP 503")
        self.delivered.append(json.loads(body))


def _routed(
    *, lat: float = 50.0614, lon: float = 19.9366, category: str = "PRZEKRACZANIE_PREDKOSCI", unit: str = "KMP-1261"
) -> ReportRouted:
    """A routed report like the golden sample, at another place and with new ids."""
    import h3

    base = decode(SAMPLES.joinpath("ReportRouted.json").read_text(encoding="utf-8"), ReportRouted)
    report = base.report.model_copy(
        update={"report_id": uuid.uuid4(), "event_id": uuid.uuid4(), "lat": lat, "lon": lon, "category": category}
    )
    cells = base.cells.model_copy(
        update={
            "dedup": h3.latlng_to_cell(lat, lon, 9),
            "hotspot": h3.latlng_to_cell(lat, lon, 8),
            "routing": h3.latlng_to_cell(lat, lon, 7),
        }
    )
    chain = {
        "KMP-1261": base.unit_chain,
        "KMP-2261": (
            base.unit_chain[0],
            base.unit_chain[1].model_copy(update={"unit_id": "KWP-22"}),
            base.unit_chain[2].model_copy(update={"unit_id": "KMP-2261"}),
        ),
    }[unit]
    return base.model_copy(
        update={"event_id": uuid.uuid4(), "report": report, "cells": cells, "unit_id": unit, "unit_chain": chain}
    )


class Harness:
    """The notifier's use cases and HTTP API over mongomock, with fakes at the edges."""

    def __init__(
        self, db=None, *, clock: FakeClock | None = None, failures: int = 0, sender=None, locks=None, **overrides
    ) -> None:
        self.db = db if db is not None else mongomock.MongoClient(tz_aware=True)["kmzb"]
        self.clock = clock or FakeClock()
        self.publisher = RecordingPublisher()
        self.sender = sender or FlakySender(failures)
        config = {"auth": {"hs256_secret": "test-secret-" + "x" * 20, "dev_login": True}, **overrides}
        self.settings = NotifierSettings(**config)
        self.notifier = build_notifier(
            self.settings, self.db, publisher=self.publisher, clock=self.clock, sender=self.sender, locks=locks
        )
        app = FastAPI()
        install_common_routes(app, checks={})
        verifier, issuer = auth_parts(self.settings)
        app.include_router(build_routes(self.notifier, self.settings, verifier=verifier, issuer=issuer))
        self.http = TestClient(app)

    def login(self, username: str) -> dict[str, str]:
        resp = self.http.post(
            "/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": "demo"}
        )
        assert resp.status_code == 200, resp.text
        return {"authorization": f"Bearer {resp.json()['access_token']}"}


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
def make_harness():
    """Build another notifier, e.g. over the same store after a restart."""
    return Harness


@pytest.fixture
def routed():
    """Make a routed report: ``routed(lat=..., lon=..., category=..., unit=...)``."""
    return _routed
