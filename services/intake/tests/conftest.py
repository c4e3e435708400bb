"""Intake's HTTP app with the broker replaced by a fake at the publisher boundary and a settable clock."""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from kmzb_common.http import install_common_routes
from kmzb_contracts import Event
from kmzb_intake.adapters.publisher import BrokerUnavailable
from kmzb_intake.bootstrap import build_api, build_service
from kmzb_intake.settings import IntakeSettings
from kmzb_intake.workflow import IntakeService

VALID = {"category": "PRZEKRACZANIE_PREDKOSCI", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}


class FakePublisher:
    """Keeps what was published per topic; ``down`` makes it fail like an unreachable broker."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Event]] = []
        self.down = False
        self.gate: threading.Event | None = None  # when set, publishes wait for it (a slow broker)

    async def publish(self, topic: str, event: Event) -> None:
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait, 10)
        if self.down:
            raise BrokerUnavailable("broker stopped")
        self.published.append((topic, event))

    def on(self, topic: str) -> list[Any]:
        return [e for t, e in self.published if t == topic]


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Intake:
    client: TestClient
    publisher: FakePublisher
    db: Any
    clock: Clock
    service: IntakeService
    settings: IntakeSettings

    def reports(self) -> list[Any]:
        return self.publisher.on(self.settings.topics.reports_submitted)


def make_intake(
    *, db: Any = None, publisher: Any = None, clock: Clock | None = None, **overrides: Any
) -> tuple[FastAPI, Any, Any, Clock, IntakeService, IntakeSettings]:
    settings = IntakeSettings(**{"device_key_secret": "s" * 32, **overrides})
    db = db if db is not None else mongomock.MongoClient(tz_aware=True)["kmzb"]
    publisher = publisher or FakePublisher()
    clock = clock or Clock()
    service = build_service(settings, db, publisher=lambda: publisher, clock=clock)
    app = FastAPI()
    install_common_routes(app, checks={})
    build_api(app, settings, service, db)
    return app, publisher, db, clock, service, settings


@pytest.fixture
def intake_factory() -> Any:
    """Builds an intake app with settings overridden."""
    return make_intake


@pytest.fixture
def intake() -> Any:
    app, publisher, db, clock, service, settings = make_intake()
    with TestClient(app) as client:
        yield Intake(client, publisher, db, clock, service, settings)


def photo_with_gps(*, size: tuple[int, int] = (640, 480)) -> bytes:
    """A real JPEG whose EXIF names a camera and a GPS position (Kraków), as phones write it."""
    exif = Image.Exif()
    exif[0x010F] = "KameraTest"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 3.0, 41.0), 3: "E", 4: (19.0, 56.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def gps_photo() -> bytes:
    """A JPEG with camera and GPS metadata."""
    return photo_with_gps()
