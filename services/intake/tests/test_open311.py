"""Open311 GeoReport v2: every endpoint in JSON and XML, errors as [{code, description}], status mapping."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import h3
import pytest
from fastapi.testclient import TestClient

from kmzb_contracts import TaskCreated, TaskStatus, TaskStatusChanged

KEY = "open311-test-key-1234"
BASE = "/open311/v2"
FORM = {"api_key": KEY, "service_code": "NIEPRAWIDLOWE_PARKOWANIE", "lat": "50.0614", "long": "19.9366"}


@pytest.fixture
def o311(intake_factory):
    app, publisher, db, clock, service, settings = intake_factory(open311_api_keys=[KEY])
    with TestClient(app) as c:
        yield c, publisher, service, settings


def _xml(resp):
    assert resp.headers["content-type"].startswith("text/xml")
    assert resp.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(resp.content)


def test_discovery_lists_the_v2_endpoint_in_both_formats(o311):
    c, *_ = o311
    body = c.get(f"{BASE}/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(c.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_active_catalogue(o311):
    c, *_ = o311
    services = c.get(f"{BASE}/services.json").json()
    assert len(services) == 27
    parking = next(s for s in services if s["service_code"] == "NIEPRAWIDLOWE_PARKOWANIE")
    assert parking == {
        "service_code": "NIEPRAWIDLOWE_PARKOWANIE",
        "service_name": "Nieprawidłowe parkowanie",
        "description": "Illegal parking",
        "metadata": True,
        "type": "realtime",
        "keywords": "drogowe",
        "group": "drogowe",
    }
    root = _xml(c.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 27
    assert root.find("service/metadata").text == "true"


def test_a_service_definition_has_its_attributes_and_unknown_codes_are_404(o311):
    c, *_ = o311
    body = c.get(f"{BASE}/services/PRZEKRACZANIE_PREDKOSCI.json").json()
    assert body["service_code"] == "PRZEKRACZANIE_PREDKOSCI"
    assert [a["code"] for a in body["attributes"]] == ["occurred_at", "time_bands", "days_of_week"]
    root = _xml(c.get(f"{BASE}/services/PRZEKRACZANIE_PREDKOSCI.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = c.get(f"{BASE}/services/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    missing_xml = c.get(f"{BASE}/services/NOPE.xml")
    assert missing_xml.status_code == 404
    assert _xml(missing_xml).find("error/code").text == "404"


def test_post_request_form_encoded_creates_a_report_and_its_status_is_readable(o311):
    c, publisher, service, settings = o311
    form = {
        **FORM,
        "description": "Auta na przejściu",
        "email": "jan@example.pl",
        "first_name": "Jan",
        "phone": "600100200",
        "device_id": "phone-1",
        "attribute[time_bands][]": ["rano", "wieczor"],
        "attribute[days_of_week][]": ["1", "5"],
    }
    resp = c.post(f"{BASE}/requests.json", data=form)
    assert resp.status_code == 200, resp.text
    [created] = resp.json()
    rid = created["service_request_id"]
    assert "112" in created["service_notice"]
    [event] = publisher.on(settings.topics.reports_submitted)
    assert str(event.report_id) == rid and event.channel.value == "open311"
    assert [b.value for b in event.recurrence.time_bands] == ["rano", "wieczor"]
    assert "jan@example.pl" not in event.model_dump_json() and "600100200" not in event.model_dump_json()

    state = c.get(f"{BASE}/requests/{rid}.json").json()
    assert state[0]["status"] == "open" and state[0]["status_notes"] == "Nowe"
    assert state[0]["service_name"] == "Nieprawidłowe parkowanie"
    assert state[0]["requested_datetime"].endswith("Z")
    assert _xml(c.get(f"{BASE}/requests/{rid}.xml")).find("request/service_request_id").text == rid
    tok = c.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert tok == [{"service_request_id": rid, "token": created["token"]}]
    assert _xml(c.get(f"{BASE}/tokens/{created['token']}.xml")).find("request/service_request_id").text == rid

    # The task is opened, then closed as not confirmed: open/closed with the Polish label.
    task = TaskCreated(
        event_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        report_id=event.report_id,
        unit_id="KMP-1261",
        category=event.category,
        lat=event.lat,
        lon=event.lon,
        cell=h3.latlng_to_cell(event.lat, event.lon, 9),
        created_at=datetime.now(UTC),
    )
    service.reports.record_task(task)
    change = TaskStatusChanged(
        event_id=uuid.uuid4(),
        task_id=task.task_id,
        unit_id="KMP-1261",
        from_status=TaskStatus.WERYFIKACJA,
        to_status=TaskStatus.POTWIERDZONE_PRZEKAZANE,
        changed_by="x",
        changed_at=datetime.now(UTC),
    )
    service.reports.record_task_status(change)
    closed = c.get(f"{BASE}/requests/{rid}.json").json()[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Potwierdzone (przekazane poza Policję)"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"api_key": None}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "NOPE"}, 400),
        ({"lat": None}, 400),
        ({"lat": "nan"}, 400),
        ({"long": "inf"}, 400),
        ({"lat": "95"}, 400),
        ({"lat": "52.52", "long": "13.40"}, 400),
        ({"description": "x" * 501}, 400),
        ({"description": "<script>alert(1)</script>"}, 400),
        ({"attribute[occurred_at]": "2999-01-01T00:00:00Z"}, 400),
        ({"attribute[time_bands][]": "zawsze"}, 400),
        ({"jurisdiction_id": "elsewhere"}, 404),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_post_requests_get_open311_errors_and_nothing_is_stored(o311, change, status, fmt):
    c, publisher, *_ = o311
    form = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    resp = c.post(f"{BASE}/requests.{fmt}", data=form)
    assert resp.status_code == status, resp.text
    if fmt == "json":
        [err] = resp.json()
        assert err["code"] == status and err["description"]
    else:
        root = _xml(resp)
        assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert publisher.published == []


def test_get_requests_filters_by_id_code_status_and_dates(o311):
    c, publisher, service, settings = o311
    ids = []
    for n, code in enumerate(["NIEPRAWIDLOWE_PARKOWANIE", "ZEBRACTWO"]):
        resp = c.post(f"{BASE}/requests.json", data={**FORM, "service_code": code, "device_id": f"d{n}"})
        ids.append(resp.json()[0]["service_request_id"])
    everything = c.get(f"{BASE}/requests.json").json()
    assert {r["service_request_id"] for r in everything} == set(ids)
    by_code = c.get(f"{BASE}/requests.json", params={"service_code": "ZEBRACTWO"}).json()
    assert [r["service_request_id"] for r in by_code] == [ids[1]]
    by_id = c.get(f"{BASE}/requests.json", params={"service_request_id": f"{ids[0]},not-an-id"}).json()
    assert [r["service_request_id"] for r in by_id] == [ids[0]]
    assert c.get(f"{BASE}/requests.json", params={"status": "closed"}).json() == []
    assert len(c.get(f"{BASE}/requests.json", params={"status": "open,closed"}).json()) == 2
    past = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    assert c.get(f"{BASE}/requests.json", params={"end_date": past}).json() == []
    root = _xml(c.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
    for params in ({"status": "pending"}, {"start_date": "yesterday"}, {"start_date": "2026-01-01T00:00:00"}):
        bad = c.get(f"{BASE}/requests.json", params=params)
        assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    wide = c.get(f"{BASE}/requests.json", params={"start_date": "2020-01-01T00:00:00Z", "end_date": past})
    assert wide.status_code == 400


def test_unknown_request_format_and_ids_are_404(o311):
    c, *_ = o311
    assert c.get(f"{BASE}/requests/{uuid.uuid4()}.json").status_code == 404
    assert c.get(f"{BASE}/requests/x.xml").status_code == 404
    assert c.get(f"{BASE}/tokens/x.json").status_code == 404
    resp = c.get(f"{BASE}/services.yaml")
    assert resp.status_code == 404 and resp.json()[0]["code"] == 404


def test_open311_post_respects_the_device_limit_and_idempotency_key(o311):
    c, publisher, *_ = o311
    form = {**FORM, "device_id": "same-phone"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = c.post(f"{BASE}/requests.json", data=form, headers=key)
    again = c.post(f"{BASE}/requests.json", data=form, headers=key)
    assert first.json() == again.json()
    limited = c.post(f"{BASE}/requests.json", data=form)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert limited.json()[0]["code"] == 429
    assert len(publisher.published) == 1


def test_without_configured_keys_open311_post_is_refused(intake):
    resp = intake.client.post(f"{BASE}/requests.json", data={**FORM, "api_key": ""})
    assert resp.status_code == 403


def test_open311_errors_are_polish_by_default_english_on_request_and_carry_a_machine_code(o311):
    c, *_ = o311
    pl = c.post(f"{BASE}/requests.json", data={**FORM, "api_key": "wrong"}).json()[0]["description"]
    en = c.post(f"{BASE}/requests.json", data={**FORM, "api_key": "wrong"}, headers={"Accept-Language": "en"}).json()[
        0
    ]["description"]
    assert pl == "Nieprawidłowy api_key: nie można utworzyć zgłoszenia. (invalid_api_key)"
    assert en == "Invalid api_key received -- can't proceed with create_request. (invalid_api_key)"
    outside = c.post(f"{BASE}/requests.json", data={**FORM, "lat": "52.52", "long": "13.40"}).json()[0]
    assert outside["description"].endswith("(outside_poland)")
