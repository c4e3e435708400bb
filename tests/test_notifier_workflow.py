"""The notifier through HTTP and the real broker: feeds that resume, escalation, webhooks, scope, public map.

A notifier of its own runs here with short deadlines and fast retries; reports come in as
ReportRouted events on the broker, as the geo-router sends them.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from kafka_helpers import produce, read_all, report
from kafka_helpers import routed as make_routed

from kmzb_contracts import ThreatConfirmed, UnitRef, decode_task_event, encode
from kmzb_devstack import free_port, service_env, start_service, wait_until

pytestmark = pytest.mark.integration

CHAINS = {
    "KMP-1261": ["KGP", "KWP-12", "KMP-1261"],
    "KMP-2261": ["KGP", "KWP-22", "KMP-2261"],
    "KPP-1207": ["KGP", "KWP-12", "KPP-1207"],
    "KPP-2205": ["KGP", "KWP-22", "KPP-2205"],
}


@pytest.fixture(scope="module")
def notifier(broker) -> Iterator[str]:
    port = free_port()
    extra = {
        "KMZB_NOTIFIER_DEADLINES": json.dumps(
            {"scan_interval_s": 0.3, "per_unit": {"KPP-1207": {"review_s": 1, "verification_s": 2}}}
        ),
        "KMZB_NOTIFIER_WEBHOOKS": json.dumps({"base_delay_s": 0.1, "max_delay_s": 1, "scan_interval_s": 0.2}),
        "KMZB_NOTIFIER_FEED_POLL_INTERVAL_S": "0.1",
        "KMZB_NOTIFIER_FEED_KEEPALIVE_S": "0.5",
        "KMZB_NOTIFIER_FAUST_APP_ID": "kmzb-notifier-workflow-test",
    }
    env = service_env("notifier", bootstrap=broker.bootstrap, port=port, extra=extra)
    log_dir = Path(os.environ.get("KMZB_TEST_ARTIFACTS", "test-artifacts")) / "logs" / "notifier-workflow"
    proc = start_service("notifier", "kmzb_notifier", port=port, env=env, log_dir=log_dir, wait_ready_s=120)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stop()


def _token(base: str, username: str) -> dict[str, str]:
    resp = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": "demo"})
    assert resp.status_code == 200, resp.text
    return {"authorization": f"Bearer {resp.json()['access_token']}"}


def _send_report(broker, *, unit: str, lat: float, lon: float, category: str, description: str | None = None):
    submitted = report(lat=lat, lon=lon, category=category).model_copy(update={"description": description})
    chain = tuple(UnitRef(unit_id=u, name_pl=u, type=u.split("-")[0]) for u in CHAINS[unit])
    routed = make_routed(submitted, chain=chain)
    produce(broker.bootstrap, broker.topics.reports_routed, [(routed.key(), encode(routed))])
    return routed


def _task_of(base: str, auth: dict[str, str], unit: str, report_id: str) -> dict | None:
    resp = httpx.get(f"{base}/api/v1/units/{unit}/tasks", params={"limit": 1000}, headers=auth)
    if resp.status_code == 403:
        return None  # a parent unit's coordinator gets in once the notifier has seen the unit's chain
    tasks = resp.json()["tasks"]
    return next((t for t in tasks if report_id in t["report_ids"]), None)


def _wait_task(base, auth, unit, report_id, *, what="task", check: Callable[[dict], bool] = lambda t: True) -> dict:
    wait_until(lambda: (t := _task_of(base, auth, unit, report_id)) is not None and check(t), timeout_s=30, what=what)
    return _task_of(base, auth, unit, report_id)


def _last_seq(base: str, auth: dict[str, str], unit: str) -> int:
    last = 0
    while items := httpx.get(
        f"{base}/api/v1/units/{unit}/feed/items", params={"after": last, "limit": 1000}, headers=auth
    ).json()["items"]:
        last = items[-1]["seq"]
    return last


def _read_sse(base, auth, unit, *, last_event_id: int, until: Callable[[list[dict]], bool]) -> list[dict]:
    """Read the unit's SSE feed from ``last_event_id`` until ``until(events)`` holds, then disconnect."""
    events: list[dict] = []
    headers = {**auth, "last-event-id": str(last_event_id)}
    deadline = time.monotonic() + 30
    with httpx.stream("GET", f"{base}/api/v1/units/{unit}/feed", headers=headers, timeout=10) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        current: dict = {}
        for line in resp.iter_lines():
            if line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
            elif line == "" and "id" in current:
                events.append(current)
                current = {}
            if until(events):
                return events
            assert time.monotonic() < deadline, f"feed stalled after {events[-3:]}"
    raise AssertionError("feed closed")


def test_a_feed_client_that_disconnects_and_reconnects_misses_nothing_and_repeats_nothing(broker, notifier):
    officer = _token(notifier, "dzielnicowy.krakow")
    start = _last_seq(notifier, officer, "KMP-1261")
    lat, lon = 50.0721, 20.0377
    first = _send_report(broker, unit="KMP-1261", lat=lat, lon=lon, category="WYPALANIE_TRAW")
    first_id = str(first.report.report_id)

    def saw(events, event_type, **fields):
        return any(e["event"] == event_type and all(e["data"].get(k) == v for k, v in fields.items()) for e in events)

    before = _read_sse(
        notifier, officer, "KMP-1261", last_event_id=start, until=lambda ev: saw(ev, "TaskCreated", report_id=first_id)
    )
    task = _task_of(notifier, officer, "KMP-1261", first_id)

    # While the client is away: a second report of the threat, another threat, and a status change.
    second = _send_report(broker, unit="KMP-1261", lat=lat + 0.0003, lon=lon, category="WYPALANIE_TRAW")
    other = _send_report(broker, unit="KMP-1261", lat=lat + 0.02, lon=lon, category="WYPALANIE_TRAW")
    _wait_task(notifier, officer, "KMP-1261", str(second.report.report_id), what="merge")
    _wait_task(notifier, officer, "KMP-1261", str(other.report.report_id), what="other task")
    resp = httpx.post(
        f"{notifier}/api/v1/tasks/{task['task_id']}/status",
        json={"status": "WERYFIKACJA", "note": "w drodze"},
        headers=officer,
    )
    assert resp.status_code == 200, resp.text

    after = _read_sse(
        notifier,
        officer,
        "KMP-1261",
        last_event_id=before[-1]["id"],
        until=lambda ev: saw(ev, "TaskStatusChanged", task_id=task["task_id"]),
    )
    ids = [e["id"] for e in before + after]
    assert ids == list(range(start + 1, start + 1 + len(ids)))
    assert saw(after, "ReportMerged", report_id=str(second.report.report_id), report_count=2)
    assert saw(after, "TaskCreated", report_id=str(other.report.report_id))
    assert not saw(after, "TaskCreated", report_id=first_id)

    published = [decode_task_event(m.value) for m in read_all(broker.bootstrap, broker.topics.tasks)]
    changes = [e for e in published if e.event_type == "TaskStatusChanged" and str(e.task_id) == task["task_id"]]
    assert [(c.to_status, c.changed_by, c.note) for c in changes] == [("WERYFIKACJA", "dzielnicowy.krakow", "w drodze")]


def test_an_overdue_task_escalates_to_the_parent_units_coordinator(broker, notifier):
    routed = _send_report(broker, unit="KPP-1207", lat=49.9677, lon=20.4303, category="DZIKIE_KAPIELISKA")
    coordinator = _token(notifier, "koordynator.kwp12")
    task = _wait_task(
        notifier, coordinator, "KPP-1207", str(routed.report.report_id), what="escalation",
        check=lambda t: {e["deadline"] for e in t["escalations"]} == {"review", "verification"},
    )  # fmt: skip
    assert {e["to"] for e in task["escalations"]} == {"KWP-12"}
    items = httpx.get(
        f"{notifier}/api/v1/units/KWP-12/feed/items", params={"after": 0, "limit": 1000}, headers=coordinator
    ).json()["items"]
    escalated = [i["data"] for i in items if i["type"] == "TaskEscalated" and i["data"]["task_id"] == task["task_id"]]
    assert sorted(e["deadline"] for e in escalated) == ["review", "verification"]
    published = [decode_task_event(m.value) for m in read_all(broker.bootstrap, broker.topics.tasks)]
    on_topic = {e.event_id for e in published if e.event_type == "TaskEscalated" and str(e.task_id) == task["task_id"]}
    assert len(on_topic) == 2


class _FlakyReceiver(BaseHTTPRequestHandler):
    """Answers 503 to the first three attempts of each item, then 200."""

    attempts: dict[str, int] = {}
    delivered: list[dict] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with self.lock:
            n = self.attempts[body["event_id"]] = self.attempts.get(body["event_id"], 0) + 1
            if n > 3:
                self.delivered.append(body)
        self.send_response(503 if n <= 3 else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_webhook_receiver_that_fails_three_times_still_gets_the_item_once(broker, notifier):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        admin = _token(notifier, "admin")
        url = f"http://127.0.0.1:{server.server_address[1]}/kmzb"
        resp = httpx.post(f"{notifier}/api/v1/units/KPP-2205/webhooks", json={"url": url}, headers=admin)
        assert resp.status_code == 201, resp.text
        recipient = resp.json()["recipient_id"]
        routed = _send_report(broker, unit="KPP-2205", lat=54.1700, lon=18.4100, category="KLUSOWNICTWO")

        def deliveries():
            return httpx.get(f"{notifier}/api/v1/webhooks/{recipient}/deliveries", headers=admin).json()["deliveries"]

        wait_until(lambda: [d["state"] for d in deliveries()] == ["delivered"], timeout_s=30, what="delivery")
        [d] = deliveries()
        assert d["attempts"] == 4
        assert [b["data"]["report_id"] for b in _FlakyReceiver.delivered] == [str(routed.report.report_id)]
        assert _FlakyReceiver.attempts == {d["event_id"]: 4}
    finally:
        server.shutdown()
        server.server_close()


def test_an_officer_gets_403_on_another_units_tasks(broker, notifier):
    routed = _send_report(broker, unit="KMP-1261", lat=50.0150, lon=19.8900, category="ZEBRACTWO")
    own = _token(notifier, "dzielnicowy.krakow")
    task = _wait_task(notifier, own, "KMP-1261", str(routed.report.report_id))
    other = _token(notifier, "dzielnicowy.gdansk")
    assert httpx.get(f"{notifier}/api/v1/tasks/{task['task_id']}", headers=other).status_code == 403
    assert httpx.get(f"{notifier}/api/v1/units/KMP-1261/tasks", headers=other).status_code == 403
    change = httpx.post(
        f"{notifier}/api/v1/tasks/{task['task_id']}/status", json={"status": "WERYFIKACJA"}, headers=other
    )
    assert change.status_code == 403
    assert httpx.get(f"{notifier}/api/v1/tasks/{task['task_id']}", headers=own).json()["status"] == "NOWE"


def test_residents_confirmations_from_the_broker_count_once_per_device(broker, notifier):
    routed = _send_report(broker, unit="KMP-2261", lat=54.3900, lon=18.6000, category="BEZPANSKIE_PSY")
    auth = _token(notifier, "dzielnicowy.gdansk")
    task = _wait_task(notifier, auth, "KMP-2261", str(routed.report.report_id))
    devices = ["a" * 64, "a" * 64, "b" * 64]
    confirmations = [
        ThreatConfirmed(
            event_id=uuid.uuid4(),
            task_id=uuid.UUID(task["task_id"]),
            unit_id="KMP-2261",
            device_key_hash=d,
            confirmed_at=datetime.now(UTC),
        )
        for d in devices
    ]
    messages = [(c.key(), encode(c)) for c in confirmations]
    produce(broker.bootstrap, broker.topics.threat_confirmations, messages + messages[:1])
    _wait_task(
        notifier, auth, "KMP-2261", str(routed.report.report_id), what="confirmations",
        check=lambda t: t["confirmation_count"] >= 2,
    )  # fmt: skip
    assert _task_of(notifier, auth, "KMP-2261", str(routed.report.report_id))["confirmation_count"] == 2


def test_the_public_read_model_never_contains_reporter_data(broker, notifier):
    marker = f"Jan Kowalski, tel. {uuid.uuid4().hex[:9]}"
    routed = _send_report(
        broker, unit="KMP-1261", lat=50.0300, lon=19.9100, category="OSOBA_BEZDOMNA", description=marker
    )
    auth = _token(notifier, "koordynator.krakow")
    task = _wait_task(notifier, auth, "KMP-1261", str(routed.report.report_id))
    body = httpx.get(f"{notifier}/api/v1/public/threats", params={"bbox": "19.90,50.02,19.92,50.04"}).json()
    [threat] = [t for t in body["threats"] if t["threat_id"] == task["task_id"]]
    assert threat["location_snapped"] is True and (threat["lat"], threat["lon"]) != (50.03, 19.91)
    everything = httpx.get(f"{notifier}/api/v1/public/threats", params={"limit": 5000}).text
    for secret in (
        marker,
        routed.report.device_key_hash,
        str(routed.report.report_id),
        "device_key_hash",
        "description",
    ):
        assert secret not in everything
