"""Intake's residents' API with the broker replaced by a fake at the publisher boundary."""

import json
import math
import uuid

import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_contracts import Channel, ReportSubmitted
from kmzb_intake.adapters.publisher import BrokerUnavailable
from kmzb_intake.adapters.report_store import ReportStore
from kmzb_intake.entrypoints.api import DEVICE_COOKIE, build_router
from kmzb_intake.settings import IntakeSettings

VALID = {"category": "PRZEKRACZANIE_PREDKOSCI", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}


class FakePublisher:
    def __init__(self):
        self.published: list[ReportSubmitted] = []
        self.down = False

    async def publish(self, report: ReportSubmitted) -> None:
        if self.down:
            raise BrokerUnavailable("broker stopped")
        self.published.append(report)


@pytest.fixture
def publisher():
    return FakePublisher()


@pytest.fixture
def store():
    return ReportStore(mongomock.MongoClient(tz_aware=True)["kmzb"])


@pytest.fixture
def client(publisher, store):
    settings = IntakeSettings(device_key_secret="s" * 32)
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_router(settings, publisher=lambda: publisher, store=store))
    with TestClient(app) as c:
        yield c


def test_a_valid_report_is_published_and_answered_202_with_its_id(client, publisher, store):
    resp = client.post("/api/v1/reports", json={**VALID, "description": "Auta pędzą\u0007 ulicą."})
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert "112" in body["notice"]["pl"]
    [event] = publisher.published
    assert str(event.report_id) == body["report_id"]
    assert event.channel is Channel.WEB
    assert event.description == "Auta pędzą ulicą."
    assert event.device_key_hash and len(event.device_key_hash) == 64
    assert DEVICE_COOKIE in resp.cookies
    state = client.get(body["status_url"]).json()
    assert state["state"] == "submitted" and state["category_name_pl"] == "Przekraczanie dozwolonej prędkości"
    assert store.get(body["report_id"]) is not None


def test_the_device_hash_never_contains_the_address_and_depends_on_the_secret(publisher, store):
    hashes = []
    for secret in ("a" * 32, "b" * 32):
        app = FastAPI()
        install_common_routes(app, checks={})
        app.include_router(
            build_router(IntakeSettings(device_key_secret=secret), publisher=lambda: publisher, store=store)
        )
        with TestClient(app) as c:
            c.cookies.set(DEVICE_COOKIE, "same-device")
            assert c.post("/api/v1/reports", json=VALID).status_code == 202
        hashes.append(publisher.published[-1].device_key_hash)
    assert hashes[0] != hashes[1]
    assert "testclient" not in json.dumps([p.model_dump(mode="json") for p in publisher.published])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"category": "NIE_MA_TAKIEJ"}, "unknown_category"),
        ({"lat": 52.52, "lon": 13.40}, "outside_poland"),
        ({"lat": 91}, "invalid_request"),
        ({"lon": -181}, "invalid_request"),
        ({"description": "x" * 501}, "description_too_long"),
        ({"occurred_at": "2999-01-01T00:00:00+00:00"}, "occurred_in_future"),
        ({"occurred_at": "2001-01-01T00:00:00+00:00"}, "occurred_too_long_ago"),
        ({"occurred_at": "2026-01-01T00:00:00"}, "invalid_request"),
        ({"terms_accepted": False}, "terms_not_accepted"),
        ({"category": {"$gt": ""}}, "invalid_request"),
        ({"description": {"$where": "1"}}, "invalid_request"),
        ({"$set": {"lat": 1}}, "invalid_request"),
    ],
)
def test_bad_reports_get_422_with_a_code_and_nothing_is_published(client, publisher, change, code):
    resp = client.post("/api/v1/reports", json={**VALID, **change})
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code
    assert resp.json()["error"]["message"]
    assert publisher.published == []


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_coordinates_are_refused(client, publisher, value):
    raw = json.dumps(VALID).replace("50.0614", value)
    resp = client.post("/api/v1/reports", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert publisher.published == []
    assert not math.isnan(VALID["lat"])


def test_malformed_json_is_a_422_not_a_500(client, publisher):
    resp = client.post("/api/v1/reports", content=b'{"category": ', headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_request"


def test_errors_are_polish_by_default_and_english_on_request(client):
    pl = client.post("/api/v1/reports", json={**VALID, "category": "X"}).json()["error"]["message"]
    en = client.post("/api/v1/reports", json={**VALID, "category": "X"}, headers={"accept-language": "en-GB"}).json()[
        "error"
    ]["message"]
    assert pl == "Nieznana kategoria zagrożenia."
    assert en == "Unknown threat category."


def test_broker_down_gives_503_with_retry_after_and_stores_nothing(client, publisher, store):
    publisher.down = True
    resp = client.post("/api/v1/reports", json=VALID)
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "5"
    assert resp.json()["error"]["code"] == "broker_unavailable"
    assert store._reports.count_documents({}) == 0


def test_unknown_report_is_404_and_a_bad_id_is_422(client):
    assert client.get(f"/api/v1/reports/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/reports/not-a-uuid").status_code == 422


def test_categories_lists_the_active_catalogue(client):
    cats = client.get("/api/v1/categories").json()
    assert len(cats) == 27
    assert {"code", "name_pl", "name_en", "group"} <= set(cats[0])
