"""The officers' plane and the statistics import: authentication, roles, per-row validation, idempotency."""

import io
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from fastapi.testclient import TestClient

from kmzb_common.auth import AuthSettings, TokenIssuer
from kmzb_contracts import Channel, OfficerSource, StatisticsLayer
from kmzb_devstack import free_port, wait_until
from kmzb_intake import importer

SECRET = "auth-secret-" + "x" * 20
REPORT = {"category": "SPOZYWANIE_ALKOHOLU", "lat": 50.0614, "lon": 19.9366, "source_type": "kontakt_bezposredni"}


def _token(user: str) -> str:
    return TokenIssuer(AuthSettings(hs256_secret=SECRET, dev_login=True)).login(user, "demo")


@pytest.fixture
def app_parts(intake_factory):
    return intake_factory(auth={"hs256_secret": SECRET})


@pytest.fixture
def officers(app_parts):
    app, publisher, db, clock, service, settings = app_parts
    with TestClient(app) as c:
        yield c, publisher, settings


def _auth(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(user)}"}


def test_an_officer_enters_a_debate_threat_without_a_rate_limit(officers):
    c, publisher, settings = officers
    body = {**REPORT, "source_type": "debata_spoleczna", "meeting_date": "2026-01-15", "participants": 42}
    for _ in range(3):
        resp = c.post("/api/v1/officer/reports", json=body, headers=_auth("dzielnicowy.krakow"))
        assert resp.status_code == 202, resp.text
    events = publisher.on(settings.topics.reports_submitted)
    assert len(events) == 3
    entry = events[0].officer_entry
    assert events[0].channel is Channel.OFFICER and events[0].device_key_hash is None
    assert (entry.officer_id, entry.unit_id, entry.source_type, entry.participants) == (
        "dzielnicowy.krakow",
        "KMP-1261",
        OfficerSource.DEBATA_SPOLECZNA,
        42,
    )


@pytest.mark.parametrize(
    ("headers", "change", "status", "code"),
    [
        ({}, {}, 401, "missing_token"),
        ({"Authorization": "Bearer nonsense"}, {}, 401, "invalid_token"),
        ("analityk.kgp", {}, 403, "forbidden"),
        ("dzielnicowy.krakow", {"unit_id": "KMP-2261"}, 403, "unit_not_allowed"),
        ("dzielnicowy.krakow", {"source_type": "debata_spoleczna"}, 422, "meeting_date_required"),
        ("dzielnicowy.krakow", {"meeting_date": "2999-01-01"}, 422, "meeting_in_future"),
        ("dzielnicowy.krakow", {"participants": -1}, 422, "invalid_request"),
        ("dzielnicowy.krakow", {"participants": "12"}, 422, "invalid_request"),
        ("dzielnicowy.krakow", {"source_type": "plotka"}, 422, "invalid_request"),
        ("dzielnicowy.krakow", {"lat": 52.52, "lon": 13.40}, 422, "outside_poland"),
        ("dzielnicowy.krakow", {"description": "<script>x</script>"}, 422, "markup_not_allowed"),
        ("dzielnicowy.krakow", {"category": {"$ne": 1}}, 422, "invalid_request"),
    ],
)
def test_officer_entries_are_refused_with_a_code(officers, headers, change, status, code):
    c, publisher, _ = officers
    if isinstance(headers, str):
        headers = _auth(headers)
    resp = c.post("/api/v1/officer/reports", json={**REPORT, **change}, headers=headers)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert publisher.published == []


def test_an_officer_retry_with_the_same_idempotency_key_is_one_report(officers):
    c, publisher, settings = officers
    headers = {**_auth("dzielnicowy.krakow"), "Idempotency-Key": str(uuid.uuid4())}
    first = c.post("/api/v1/officer/reports", json=REPORT, headers=headers)
    again = c.post("/api/v1/officer/reports", json=REPORT, headers=headers)
    assert first.json()["report_id"] == again.json()["report_id"]
    assert len(publisher.on(settings.topics.reports_submitted)) == 1


CSV = (
    "category,occurred_at,lat,lon,unit_id\n"
    "KRADZIEZ,{d},50.06,19.94,KMP-1261\n"
    "ROZBOJ,{d},50.07,19.95,\n"
    "KRADZIEZ,{d},52.52,13.40,\n"
    "KRADZIEZ,2999-01-01,50.06,19.94,\n"
)


def test_importing_the_same_file_twice_adds_nothing_and_rejected_rows_come_with_reasons(officers):
    c, publisher, settings = officers
    data = CSV.format(d=(datetime.now(UTC) - timedelta(days=3)).date().isoformat()).encode()
    params = {"layer": "police_crimes", "source": "kwp-12-test", "format": "csv"}
    first = c.post("/api/v1/imports/statistics", params=params, content=data, headers=_auth("analityk.kgp"))
    assert first.status_code == 200, first.text
    summary = first.json()
    assert (summary["rows"], summary["published"], summary["duplicates"], summary["rejected_count"]) == (4, 2, 0, 2)
    assert [(r["row"], r["code"]) for r in summary["rejected"]] == [(3, "outside_poland"), (4, "occurred_in_future")]
    events = publisher.on(settings.topics.statistics)
    assert [e.layer for e in events] == [StatisticsLayer.POLICE_CRIMES] * 2
    assert events[0].unit_id == "KMP-1261" and events[1].unit_id is None
    second = c.post("/api/v1/imports/statistics", params=params, content=data, headers=_auth("analityk.kgp")).json()
    assert (second["published"], second["duplicates"]) == (0, 2)
    assert len(publisher.on(settings.topics.statistics)) == 2
    assert publisher.on(settings.topics.reports_submitted) == []


def test_imports_need_an_analyst_and_a_valid_layer_and_size(officers, intake_factory):
    c, publisher, _ = officers
    params = {"layer": "police_crimes", "source": "x"}
    assert c.post("/api/v1/imports/statistics", params=params, content=b"").status_code == 401
    resp = c.post("/api/v1/imports/statistics", params=params, content=b"", headers=_auth("dzielnicowy.krakow"))
    assert resp.status_code == 403
    bad = c.post(
        "/api/v1/imports/statistics", params={**params, "layer": "gossip"}, content=b"", headers=_auth("admin")
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    app, *_ = intake_factory(auth={"hs256_secret": SECRET}, import_max_bytes=1024)
    with TestClient(app) as small:
        big = small.post("/api/v1/imports/statistics", params=params, content=b"x" * 5000, headers=_auth("admin"))
        assert big.status_code == 413 and big.json()["error"]["code"] == "import_too_large"
    assert publisher.published == []


def test_the_cli_sends_a_file_in_batches_with_a_progress_bar_and_is_idempotent(app_parts, tmp_path):
    app, publisher, _, _, _, settings = app_parts
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout_s=10, what="test server")
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        lines = [
            f'{{"category":"BEZPIECZNIE","occurred_at":"{day}","lat":50.0{n % 9},"lon":19.9,'
            f'"value":{50 + n % 40},"respondents":{10 + n}}}'
            for n in range(25)
        ]
        lines.insert(7, '{"category":"BEZPIECZNIE","occurred_at":"x","lat":50.0,"lon":19.9}')
        path = tmp_path / "ankieta.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        progress = io.StringIO()
        kwargs = dict(layer="survey_safety", source="ankieta-2026", url=f"http://127.0.0.1:{port}", batch_size=10)
        summary = importer.run(path, token=_token("analityk.kgp"), progress=progress, **kwargs)
        assert (summary["rows"], summary["published"], len(summary["rejected"])) == (26, 25, 1)
        assert summary["rejected"][0]["row"] == 8
        assert "100% 26/26" in progress.getvalue()
        again = importer.run(path, token=_token("analityk.kgp"), progress=io.StringIO(), **kwargs)
        assert (again["published"], again["duplicates"]) == (0, 25)
        assert len(publisher.on(settings.topics.statistics)) == 25
        code = importer.main(
            [
                str(path),
                "--layer",
                "survey_safety",
                "--source",
                "ankieta-2026",
                "--url",
                f"http://127.0.0.1:{port}",
                "--token",
                _token("analityk.kgp"),
            ]
        )
        assert code == 2
    finally:
        server.should_exit = True
        thread.join(10)
