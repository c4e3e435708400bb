"""Attachments by content, open threats nearby, and "+1" confirmations."""

import uuid
from datetime import UTC, datetime

import h3
from fastapi.testclient import TestClient

from kmzb_contracts import ReportMerged, TaskCreated, TaskStatus, TaskStatusChanged
from kmzb_intake.entrypoints.support import DEVICE_COOKIE

VALID = {"category": "DZIKIE_WYSYPISKA", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}
PDF = b"%PDF-1.4\n" + b"x" * 100


def _upload(client: TestClient, name: str, data: bytes, declared: str = "application/octet-stream"):
    return client.post("/api/v1/attachments", files={"file": (name, data, declared)})


def test_attachments_are_stored_and_referenced_by_the_report(intake, gps_photo):
    c = intake.client
    c.cookies.set(DEVICE_COOKIE, "e" * 32)
    ids = []
    for name, data in (("a.jpg", gps_photo), ("b.pdf", PDF), ("c.txt", "Notatka: śmieci.".encode())):
        resp = _upload(c, name, data)
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["attachment_id"])
    resp = c.post("/api/v1/reports", json={**VALID, "attachments": ids})
    assert resp.status_code == 202, resp.text
    [event] = intake.reports()
    assert [a.content_type for a in event.attachments] == ["image/jpeg", "application/pdf", "text/plain"]
    assert intake.service._attachments.read(ids[1]) == PDF


def test_a_wrong_file_type_behind_a_right_extension_is_refused_and_not_stored(intake):
    resp = _upload(intake.client, "photo.jpg", b"MZ\x90\x00" + b"\x00" * 50, "image/jpeg")
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "unsupported_attachment_type"
    assert intake.db["attachments.files"].count_documents({}) == 0
    assert intake.db["attachments.chunks"].count_documents({}) == 0


def test_an_oversize_attachment_is_refused_and_not_stored(intake):
    resp = _upload(intake.client, "big.pdf", PDF + b"x" * (5 * 1024 * 1024))
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "attachments_too_large"
    assert intake.db["attachments.files"].count_documents({}) == 0


def test_attachments_over_5_mb_together_refuse_the_report(intake):
    c = intake.client
    c.cookies.set(DEVICE_COOKIE, "f" * 32)
    ids = [_upload(c, f"{n}.pdf", PDF + b"x" * (2 * 1024 * 1024)).json()["attachment_id"] for n in range(3)]
    resp = c.post("/api/v1/reports", json={**VALID, "attachments": ids})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "attachments_too_large"
    assert intake.reports() == []


def test_another_devices_attachment_cannot_be_referenced(intake, gps_photo):
    c = intake.client
    c.cookies.set(DEVICE_COOKIE, "g" * 32)
    attachment_id = _upload(c, "a.jpg", gps_photo).json()["attachment_id"]
    other = TestClient(c.app)
    other.cookies.set(DEVICE_COOKIE, "h" * 32)
    resp = other.post("/api/v1/reports", json={**VALID, "attachments": [attachment_id]})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "unknown_attachment"


def _task(intake, *, lat: float, lon: float, category: str = "DZIKIE_WYSYPISKA", unit: str = "KMP-1261"):
    event = TaskCreated(
        event_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        report_id=uuid.uuid4(),
        unit_id=unit,
        category=category,
        lat=lat,
        lon=lon,
        cell=h3.latlng_to_cell(lat, lon, 9),
        created_at=datetime.now(UTC),
    )
    intake.service.threats.record_created(event)
    return event


def test_nearby_lists_open_threats_of_the_same_category_within_about_250_m(intake):
    near = _task(intake, lat=50.0620, lon=19.9370)
    _task(intake, lat=50.0620, lon=19.9370, category="ZEBRACTWO")
    _task(intake, lat=50.0800, lon=19.9370)
    closed = _task(intake, lat=50.0615, lon=19.9366)
    intake.service.threats.record_status(
        TaskStatusChanged(
            event_id=uuid.uuid4(),
            task_id=closed.task_id,
            unit_id="KMP-1261",
            from_status=TaskStatus.WERYFIKACJA,
            to_status=TaskStatus.NIEPOTWIERDZONE,
            changed_by="x",
            changed_at=datetime.now(UTC),
        )
    )
    resp = intake.client.get(
        "/api/v1/threats/nearby", params={"lat": 50.0614, "lon": 19.9366, "category": "DZIKIE_WYSYPISKA"}
    )
    assert resp.status_code == 200
    threats = resp.json()["threats"]
    assert [t["task_id"] for t in threats] == [str(near.task_id)]
    assert threats[0]["status_label_pl"] == "Nowe"
    assert threats[0]["distance_m"] == 70 and threats[0]["report_count"] == 1
    seen = datetime.fromisoformat(threats[0]["created_at"])
    assert abs((seen - near.created_at).total_seconds()) < 0.001  # Mongo keeps milliseconds
    assert "112" in resp.json()["notice"]["pl"]


def test_nearby_counts_the_reports_merged_into_a_threat(intake):
    """A threat that took in more reports says how many, so a resident sees it is known."""
    threat = _task(intake, lat=50.0620, lon=19.9370)
    intake.service.threats.record_merged(
        ReportMerged(
            event_id=uuid.uuid4(),
            task_id=threat.task_id,
            report_id=uuid.uuid4(),
            unit_id="KMP-1261",
            category="DZIKIE_WYSYPISKA",
            report_count=3,
            merged_at=datetime.now(UTC),
        )
    )
    resp = intake.client.get(
        "/api/v1/threats/nearby", params={"lat": 50.0614, "lon": 19.9366, "category": "DZIKIE_WYSYPISKA"}
    )
    assert resp.json()["threats"][0]["report_count"] == 3


def test_nearby_refuses_bad_input(intake):
    for params, code in (
        ({"lat": "nan", "lon": 19.9, "category": "DZIKIE_WYSYPISKA"}, "invalid_request"),
        ({"lat": 52.52, "lon": 13.40, "category": "DZIKIE_WYSYPISKA"}, "outside_poland"),
        ({"lat": 50.06, "lon": 19.9, "category": "NOPE"}, "unknown_category"),
    ):
        resp = intake.client.get("/api/v1/threats/nearby", params=params)
        assert resp.status_code == 422 and resp.json()["error"]["code"] == code


def test_a_confirmation_counts_once_per_device_and_not_against_the_report_limit(intake):
    threat = _task(intake, lat=50.0620, lon=19.9370)
    c = intake.client
    c.cookies.set(DEVICE_COOKIE, "i" * 32)
    assert c.post("/api/v1/reports", json=VALID).status_code == 202
    url = f"/api/v1/threats/{threat.task_id}/confirmations"
    first = c.post(url)
    assert first.status_code == 201 and first.json()["counted"] is True
    again = c.post(url)
    assert again.status_code == 200 and again.json()["counted"] is False
    other = TestClient(c.app)
    other.cookies.set(DEVICE_COOKIE, "j" * 32)
    assert other.post(url).json()["counted"] is True
    confirmations = intake.publisher.on(intake.settings.topics.threat_confirmations)
    assert len(confirmations) == 2
    assert {e.unit_id for e in confirmations} == {"KMP-1261"}
    assert confirmations[0].task_id == threat.task_id


def test_confirming_an_unknown_threat_is_404_and_broker_down_leaves_no_trace(intake):
    assert intake.client.post(f"/api/v1/threats/{uuid.uuid4()}/confirmations").status_code == 404
    threat = _task(intake, lat=50.0620, lon=19.9370)
    intake.publisher.down = True
    url = f"/api/v1/threats/{threat.task_id}/confirmations"
    assert intake.client.post(url).status_code == 503
    intake.publisher.down = False
    assert intake.client.post(url).json()["counted"] is True
