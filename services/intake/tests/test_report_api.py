"""Intake's residents' API: the rules of a report, hostile input, errors in Polish and English."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kmzb_contracts import Channel, ReportMerged, TaskCreated, TaskStatus, TaskStatusChanged, TimeBand, load_catalogue
from kmzb_intake.domain.emergency import load_detector
from kmzb_intake.entrypoints.support import DEVICE_COOKIE, NOTICE_HEADER

VALID = {"category": "PRZEKRACZANIE_PREDKOSCI", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}


def test_a_valid_report_is_published_and_answered_202_with_its_id(intake):
    body = {
        **VALID,
        "description": "Auta pędzą\u0007 ulicą.",
        "recurrence": {"time_bands": ["wieczor", "noc"], "days_of_week": [6, 5, 5]},
        "occurred_at": intake.clock.now.isoformat(),
    }
    resp = intake.client.post("/api/v1/reports", json=body)
    assert resp.status_code == 202, resp.text
    answer = resp.json()
    assert "112" in answer["notice"]["pl"] and answer["urgent_notice"] is None
    assert "112" in resp.headers[NOTICE_HEADER]
    [event] = intake.reports()
    assert str(event.report_id) == answer["report_id"]
    assert event.channel is Channel.WEB
    assert event.description == "Auta pędzą ulicą."
    assert event.recurrence.time_bands == (TimeBand.WIECZOR, TimeBand.NOC)
    assert event.recurrence.days_of_week == (5, 6)
    assert event.device_key_hash and len(event.device_key_hash) == 64
    assert DEVICE_COOKIE in resp.cookies
    state = intake.client.get(answer["status_url"]).json()
    assert state["state"] == "submitted" and state["category_name_pl"] == "Przekraczanie dozwolonej prędkości"


def test_the_description_is_unicode_normalised(intake):
    resp = intake.client.post("/api/v1/reports", json={**VALID, "description": "Zie\u0301lona  ulica\u200b"})
    assert resp.status_code == 202
    assert intake.reports()[0].description == "Ziélona  ulica"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"category": "NIE_MA_TAKIEJ"}, "unknown_category"),
        ({"category": ""}, "unknown_category"),
        ({"lat": 52.52, "lon": 13.40}, "outside_poland"),
        ({"lat": 0, "lon": 0}, "outside_poland"),
        ({"lat": 91}, "invalid_request"),
        ({"lon": -181}, "invalid_request"),
        ({"lat": 1e308}, "invalid_request"),
        ({"lat": "50.06; drop"}, "invalid_request"),
        ({"description": "x" * 501}, "description_too_long"),
        ({"description": "x" * 5000}, "invalid_request"),
        ({"description": "<script>alert(1)</script>"}, "markup_not_allowed"),
        ({"description": 'Zobacz <img src=x onerror="alert(1)">'}, "markup_not_allowed"),
        ({"description": "<a href='javascript:alert(1)'>x</a>"}, "markup_not_allowed"),
        ({"occurred_at": "2999-01-01T00:00:00+00:00"}, "occurred_in_future"),
        ({"occurred_at": "2001-01-01T00:00:00+00:00"}, "occurred_too_long_ago"),
        ({"occurred_at": "2026-01-01T00:00:00"}, "invalid_request"),
        ({"terms_accepted": False}, "terms_not_accepted"),
        ({"terms_accepted": "yes"}, "invalid_request"),
        ({"recurrence": {"time_bands": ["zawsze"]}}, "invalid_request"),
        ({"recurrence": {"days_of_week": [0]}}, "invalid_request"),
        ({"recurrence": {"days_of_week": [1], "$where": "1"}}, "invalid_request"),
        ({"attachments": ["a", "b", "c", "d"]}, "invalid_request"),
        ({"attachments": [str(uuid.uuid4())]}, "unknown_attachment"),
        ({"category": {"$gt": ""}}, "invalid_request"),
        ({"lat": {"$gt": 0}}, "invalid_request"),
        ({"description": {"$where": "1"}}, "invalid_request"),
        ({"occurred_at": {"$ne": None}}, "invalid_request"),
        ({"terms_accepted": {"$exists": True}}, "invalid_request"),
        ({"attachments": [{"$gt": ""}]}, "invalid_request"),
        ({"$set": {"lat": 1}}, "invalid_request"),
    ],
)
def test_bad_reports_get_422_with_a_code_and_nothing_is_stored(intake, change, code):
    resp = intake.client.post("/api/v1/reports", json={**VALID, **change})
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code
    assert resp.json()["error"]["message"]
    assert "112" in resp.headers[NOTICE_HEADER]
    assert intake.publisher.published == []
    assert intake.db["reports"].count_documents({}) == 0
    assert intake.db["device_slots"].count_documents({}) == 0


def test_a_retired_category_is_refused_but_old_reports_of_it_still_show(tmp_path, intake_factory):
    catalogue = load_catalogue().model_dump()
    for c in catalogue["categories"]:
        if c["code"] == "ZEBRACTWO":
            c["retired"] = True
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue), encoding="utf-8")
    app, publisher, db, *_ = intake_factory(catalogue_path=str(path))
    with TestClient(app) as client:
        resp = client.post("/api/v1/reports", json={**VALID, "category": "ZEBRACTWO"})
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "retired_category"
        assert publisher.published == []
        assert "ZEBRACTWO" not in {c["code"] for c in client.get("/api/v1/categories").json()}
        rid = str(uuid.uuid4())
        db["reports"].insert_one(
            {"_id": rid, "report_id": rid, "category": "ZEBRACTWO", "state": "routed", "submitted_at": "2020-01-01"}
        )
        old = client.get(f"/api/v1/reports/{rid}").json()
        assert old["category_name_pl"] == "Żebractwo"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_coordinates_are_refused(intake, value):
    raw = json.dumps(VALID).replace("50.0614", value)
    resp = intake.client.post("/api/v1/reports", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_request"
    assert intake.publisher.published == []


@pytest.mark.parametrize("raw", [b'{"category": ', b"[]", b"null", b"\xff\xfe", b""])
def test_malformed_json_is_a_422_not_a_500(intake, raw):
    resp = intake.client.post("/api/v1/reports", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_request"
    assert intake.publisher.published == []


def test_errors_are_polish_by_default_and_english_on_request(intake):
    bad = {**VALID, "category": "X"}
    pl = intake.client.post("/api/v1/reports", json=bad).json()["error"]["message"]
    en = intake.client.post("/api/v1/reports", json=bad, headers={"accept-language": "en-GB"}).json()["error"]
    assert pl == "Nieznana kategoria zagrożenia."
    assert en["message"] == "Unknown threat category."


def test_an_emergency_description_gets_an_urgent_notice_and_is_still_accepted(intake):
    resp = intake.client.post("/api/v1/reports", json={**VALID, "description": "Pod sklepem ktoś macha NOŻEM!"})
    assert resp.status_code == 202
    assert "112" in resp.json()["urgent_notice"]["pl"]
    assert len(intake.reports()) == 1


def test_the_emergency_words_are_published_folded_with_the_prompt(intake):
    """The pages get the detector's own stems, already folded, and the 112 prompt in both languages."""
    answer = intake.client.get("/api/v1/emergency/keywords")
    assert answer.status_code == 200
    body = answer.json()
    assert "noz" in body["stems"] and "pali sie" in body["stems"] and "nóż" not in body["stems"]
    assert all(stem == stem.lower() and stem.isascii() for stem in body["stems"])
    assert "112" in body["urgent_notice"]["pl"] and "112" in body["urgent_notice"]["en"]
    detector = load_detector()
    assert all(detector.matches(stem) for stem in body["stems"])


def test_unknown_report_is_404_and_a_bad_id_is_422(intake):
    assert intake.client.get(f"/api/v1/reports/{uuid.uuid4()}").status_code == 404
    assert intake.client.get("/api/v1/reports/not-a-uuid").status_code == 422


def test_categories_lists_the_active_catalogue(intake):
    cats = intake.client.get("/api/v1/categories").json()
    assert len(cats) == 27
    assert {"code", "name_pl", "name_en", "group"} <= set(cats[0])


def test_metrics_count_accepted_by_channel_and_rejected_by_reason(intake):
    def sample(name: str) -> float:
        found = [ln for ln in intake.client.get("/metrics").text.splitlines() if ln.startswith(name)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    acc = 'intake_reports_accepted_total{channel="web"}'
    rej = 'intake_reports_rejected_total{reason="outside_poland"}'
    before_acc, before_rej = sample(acc), sample(rej)
    intake.client.post("/api/v1/reports", json=VALID)
    intake.client.post("/api/v1/reports", json={**VALID, "lat": 48.0})
    assert sample(acc) == before_acc + 1
    assert sample(rej) == before_rej + 1
    assert 'intake_submit_duration_seconds_bucket{channel="web"' in intake.client.get("/metrics").text


def test_the_openapi_document_has_examples_and_documents_the_errors(intake):
    doc = intake.client.get("/openapi.json").json()
    post = doc["paths"]["/api/v1/reports"]["post"]
    assert {"422", "429", "503"} <= set(post["responses"])
    schema = doc["components"]["schemas"]["ReportIn"]
    assert schema["examples"][0]["category"] == "PRZEKRACZANIE_PREDKOSCI"
    assert "/open311/v2/requests.{fmt}" in doc["paths"]
    assert "/api/v1/imports/statistics" in doc["paths"]


def _task_events(report_id: uuid.UUID, task_id: uuid.UUID):
    created = TaskCreated(
        event_id=uuid.uuid4(),
        task_id=task_id,
        report_id=report_id,
        unit_id="KMP-1261",
        category="PRZEKRACZANIE_PREDKOSCI",
        lat=50.0614,
        lon=19.9366,
        cell="891e2e6992fffff",
        created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    )
    steps = [(TaskStatus.NOWE, TaskStatus.WERYFIKACJA, 21), (TaskStatus.WERYFIKACJA, TaskStatus.POTWIERDZONE, 23)]
    changes = [
        TaskStatusChanged(
            event_id=uuid.uuid4(),
            task_id=task_id,
            unit_id="KMP-1261",
            from_status=a,
            to_status=b,
            changed_by="dzielnicowy.krakow",
            changed_at=datetime(2026, 11, day, 9, 0, tzinfo=UTC),
        )
        for a, b, day in steps
    ]
    return created, changes


def test_a_reports_state_follows_its_tasks_status_with_the_history(intake):
    """After verification and confirmation the report shows POTWIERDZONE and each status with its date, once."""
    report_id = uuid.UUID(intake.client.post("/api/v1/reports", json=VALID).json()["report_id"])
    created, changes = _task_events(report_id, uuid.uuid4())
    intake.service.reports.record_task(created)
    for change in [*changes, changes[-1]]:  # a redelivered event adds nothing
        intake.service.reports.record_task_status(change)
    body = intake.client.get(f"/api/v1/reports/{report_id}").json()
    assert (body["status"], body["status_label_pl"]) == ("POTWIERDZONE", "Potwierdzone")
    assert [(h["status"], h["at"][:10]) for h in body["history"]] == [
        ("NOWE", "2026-11-20"),
        ("WERYFIKACJA", "2026-11-21"),
        ("POTWIERDZONE", "2026-11-23"),
    ]


def test_a_report_merged_into_a_threat_shows_that_threats_status(intake):
    """A second report of the same threat takes the threat's status and history, and follows later changes."""
    client = intake.client
    first = uuid.UUID(client.post("/api/v1/reports", json=VALID).json()["report_id"])
    other = TestClient(client.app)
    other.cookies.set(DEVICE_COOKIE, "m" * 32)
    second = uuid.UUID(other.post("/api/v1/reports", json=VALID).json()["report_id"])
    task_id = uuid.uuid4()
    created, changes = _task_events(first, task_id)
    intake.service.reports.record_task(created)
    intake.service.reports.record_task_status(changes[0])
    merged = ReportMerged(
        event_id=uuid.uuid4(),
        task_id=task_id,
        report_id=second,
        unit_id="KMP-1261",
        category="PRZEKRACZANIE_PREDKOSCI",
        report_count=2,
        merged_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    )
    intake.service.reports.record_merged(merged)
    assert client.get(f"/api/v1/reports/{second}").json()["status"] == "WERYFIKACJA"
    intake.service.reports.record_task_status(changes[1])
    body = client.get(f"/api/v1/reports/{second}").json()
    assert body["status"] == "POTWIERDZONE" and len(body["history"]) == 3
    assert "device" not in json.dumps(body) and "description" not in body
