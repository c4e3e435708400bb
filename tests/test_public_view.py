"""One public-view rule: the same threat is placed and hidden alike by every public output.

The notifier opens the task from a routed report; its events feed the intake's read model (as
the projection does from the tasks topic); then the public map, the nearby search and Open311
are asked about it, and the report's follow-up state shows no location at all. Runs in process,
without a broker.
"""

from __future__ import annotations

import asyncio

import h3
import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from kafka_helpers import report
from kafka_helpers import routed as make_routed

from kmzb_common.http import install_common_routes
from kmzb_contracts import (
    PRIVACY_RESOLUTION,
    UnitRef,
    decode_task_event,
    encode,
    load_catalogue,
)
from kmzb_intake.bootstrap import build_api, build_service
from kmzb_intake.entrypoints.projection import apply_message
from kmzb_intake.settings import IntakeSettings
from kmzb_notifier.bootstrap import auth_parts, build_notifier
from kmzb_notifier.entrypoints.api import build_router
from kmzb_notifier.settings import NotifierSettings

CHAIN = tuple(UnitRef(unit_id=u, name_pl=u, type=u.split("-")[0]) for u in ("KGP", "KWP-12", "KMP-1261"))
OPEN311_KEY = "test-open311-key"


class Recording:
    """The notifier's publisher: keeps every event for the intake's read model."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def publish(self, *, key: bytes, value: bytes) -> None:
        self.sent.append(value)

    async def enqueue(self, *, key: bytes, value: bytes) -> asyncio.Future[None]:
        await self.publish(key=key, value=value)
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class NoBroker:
    """The intake's publisher; this test submits nothing through it."""

    async def publish(self, topic: str, event: object) -> None:
        raise AssertionError("nothing is published here")


@pytest.mark.parametrize(("category", "snapped"), [("OSOBA_BEZDOMNA", True), ("NIEPRAWIDLOWE_PARKOWANIE", False)])
def test_the_same_threat_has_the_same_public_location_in_every_public_output(category, snapped):
    assert load_catalogue().get(category).privacy is snapped
    lat, lon = 50.06432, 19.94361
    routed = make_routed(report(category=category, lat=lat, lon=lon), chain=CHAIN)

    notifier_settings = NotifierSettings(auth={"hs256_secret": "s" * 32})
    recording = Recording()
    notifier = build_notifier(notifier_settings, mongomock.MongoClient(tz_aware=True)["n"], publisher=recording)
    asyncio.run(notifier.reports.handle_routed(routed))
    notifier_app = FastAPI()
    install_common_routes(notifier_app, checks={})
    notifier_app.include_router(build_router(notifier, verifier=None, issuer=auth_parts(notifier_settings)[1]))

    intake_settings = IntakeSettings(device_key_secret="d" * 32, open311_api_keys=[OPEN311_KEY])
    intake_db = mongomock.MongoClient(tz_aware=True)["i"]
    service = build_service(intake_settings, intake_db, publisher=NoBroker)
    intake_app = FastAPI()
    install_common_routes(intake_app, checks={})
    build_api(intake_app, intake_settings, service, intake_db)

    async def project() -> None:
        topics = intake_settings.topics
        await apply_message(topics.reports_routed, encode(routed), intake_settings, service.reports, service.threats)
        for value in recording.sent:
            await apply_message(topics.tasks, value, intake_settings, service.reports, service.threats)

    asyncio.run(project())
    [task_id] = {str(decode_task_event(v).task_id) for v in recording.sent}
    report_id = str(routed.report.report_id)

    with TestClient(notifier_app) as n, TestClient(intake_app) as i:
        [on_map] = n.get("/api/v1/public/threats").json()["threats"]
        [near] = i.get("/api/v1/threats/nearby", params={"lat": lat, "lon": lon, "category": category}).json()[
            "threats"
        ]
        [in_open311] = i.get(f"/open311/v2/requests/{report_id}.json").json()
        [listed] = i.get("/open311/v2/requests.json", params={"service_request_id": report_id}).json()
        follow_up = i.get(f"/api/v1/reports/{report_id}").json()

    assert near["task_id"] == on_map["threat_id"] == task_id
    places = {
        "public map": (on_map["lat"], on_map["lon"]),
        "nearby": (near["lat"], near["lon"]),
        "open311": (in_open311["lat"], in_open311["long"]),
        "open311 list": (listed["lat"], listed["long"]),
    }
    assert len(set(places.values())) == 1, places
    expected = h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, PRIVACY_RESOLUTION)) if snapped else (lat, lon)
    assert places["public map"] == tuple(round(c, 6) for c in expected)
    assert on_map["location_snapped"] is snapped
    assert follow_up["state"] == "routed" and not {"lat", "lon"} & set(follow_up)
