"""The whole pipeline through HTTP and the real broker: intake -> geo-router -> notifier and stats."""

from __future__ import annotations

import uuid

import h3
import pytest
from kafka_helpers import produce, read_all, report

from kmzb_contracts import ReportRouted, TaskCreated, decode, encode
from kmzb_contracts.wire import decode_task_event
from kmzb_devstack import wait_until

pytestmark = pytest.mark.integration

PLACES = {
    "Kraków": (50.0614, 19.9366, "KMP-1261", ["KGP", "KWP-12", "KMP-1261"]),
    "Gdańsk": (54.3520, 18.6466, "KMP-2261", ["KGP", "KWP-22", "KMP-2261"]),
    # The default geo-router loads the Warsaw operator sample (KRP Warszawa I and its beats).
    "Warszawa": (52.2318, 21.0060, "RD-KRP-I-03", ["KGP", "KSP", "KRP-I", "RD-KRP-I-03"]),
    "Zakopane": (49.2992, 19.9496, "KPP-1217", ["KGP", "KWP-12", "KPP-1217"]),
}


def _unit_tasks(stack, unit_id: str) -> list[dict]:
    """The unit's tasks as the demo admin sees them."""
    with stack.client("notifier") as c:
        login = c.post("/api/v1/auth/token", data={"grant_type": "password", "username": "admin", "password": "demo"})
        assert login.status_code == 200, login.text
        headers = {"authorization": f"Bearer {login.json()['access_token']}"}
        resp = c.get(f"/api/v1/units/{unit_id}/tasks", params={"limit": 1000}, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["tasks"]


def _unit_task_report_ids(stack, unit_id: str) -> list[str]:
    """Every report in the unit's tasks (reports of one threat share a task)."""
    return [rid for t in _unit_tasks(stack, unit_id) for rid in t["report_ids"]]


def _hotspot_count(stack, cell: str, category: str) -> int:
    with stack.client("stats") as c:
        resp = c.get("/api/v1/hotspots", params={"category": category})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/geo+json")
    for feature in resp.json()["features"]:
        if feature["id"] == cell:
            return feature["properties"]["counts"].get(category, 0)
    return 0


def test_every_service_is_healthy_ready_and_exposes_metrics(stack):
    for name in ("intake", "geo-router", "notifier", "stats"):
        with stack.client(name) as c:
            assert c.get("/healthz").json() == {"status": "ok"}
            ready = c.get("/readyz")
            assert ready.status_code == 200 and ready.json()["ready"] is True, ready.text
            assert "python_info" in c.get("/metrics").text


def test_reports_posted_over_http_reach_their_units_task_lists_and_the_hotspot_counts(stack):
    category = "DZIKIE_WYSYPISKA"
    posted: dict[str, tuple[str, str, list[str]]] = {}
    before: dict[str, int] = {}
    with stack.client("intake") as intake:
        for lat, lon, unit, chain in PLACES.values():
            cell = h3.latlng_to_cell(lat, lon, 8)
            before.setdefault(cell, _hotspot_count(stack, cell, category))
            for _ in range(2):
                # One report per device per day: each report comes from its own device.
                intake.cookies.set("kmzb_device", uuid.uuid4().hex)
                resp = intake.post(
                    "/api/v1/reports",
                    json={"category": category, "lat": lat, "lon": lon, "terms_accepted": True},
                )
                assert resp.status_code == 202, resp.text
                posted[resp.json()["report_id"]] = (unit, cell, chain)

        def all_routed() -> bool:
            return all(intake.get(f"/api/v1/reports/{rid}").json()["state"] == "routed" for rid in posted)

        wait_until(all_routed, timeout_s=30, what="reports routed")
        for rid, (unit, _, _) in posted.items():
            state = intake.get(f"/api/v1/reports/{rid}").json()
            assert state["unit_id"] == unit
            # No reporter data; the place only as the public map shows it (exact for this category).
            assert "device_key_hash" not in state and "description" not in state
            assert state["location_snapped"] is False and state["lat"] is not None

    for unit in {u for u, _, _ in posted.values()}:
        expected = {rid for rid, (u, _, _) in posted.items() if u == unit}
        wait_until(
            lambda e=expected, u=unit: e <= set(_unit_task_report_ids(stack, u)), timeout_s=30, what=f"{unit} tasks"
        )
        assert not ({rid for rid in posted} - expected) & set(_unit_task_report_ids(stack, unit))
        # Both reports of the place are one threat: one task holds them.
        assert [sorted(t["report_ids"]) for t in _unit_tasks(stack, unit) if expected & set(t["report_ids"])] == [
            sorted(expected)
        ]

    for cell in before:
        n = sum(1 for _, c, _ in posted.values() if c == cell)
        want = before[cell] + n
        wait_until(lambda c=cell, w=want: _hotspot_count(stack, c, category) == w, timeout_s=30, what="counts")

    routed = [
        decode(m.value, ReportRouted) for m in read_all(stack.broker.bootstrap, stack.broker.topics.reports_routed)
    ]
    ours = [r for r in routed if str(r.report.report_id) in posted]
    assert len(ours) == len(posted)
    for r in ours:
        unit, cell, chain = posted[str(r.report.report_id)]
        assert [u.unit_id for u in r.unit_chain] == chain
        assert r.cells.hotspot == cell


def test_redelivered_events_change_nothing_downstream(stack):
    topics = stack.broker.topics
    lat, lon, unit, _ = PLACES["Gdańsk"]
    original = report(lat=lat + 0.001, lon=lon, category="ZNECANIE_NAD_ZWIERZETAMI")
    cell = h3.latlng_to_cell(original.lat, original.lon, 8)
    before = _hotspot_count(stack, cell, original.category)

    # The same report event three times on the submitted topic.
    produce(stack.broker.bootstrap, topics.reports_submitted, [(original.key(), encode(original))] * 3)
    wait_until(lambda: str(original.report_id) in _unit_task_report_ids(stack, unit), timeout_s=30, what="task")
    routed_copies = [
        m
        for m in read_all(stack.broker.bootstrap, topics.reports_routed)
        if decode(m.value, ReportRouted).report.report_id == original.report_id
    ]
    assert len(routed_copies) == 1

    # The routed event redelivered twice more, then a sentinel on the same unit and cell, which
    # every consumer reads after the copies (same partitions, in order).
    sentinel = report(lat=original.lat, lon=original.lon, category=original.category)
    sentinel_routed = decode(routed_copies[0].value, ReportRouted).model_copy(
        update={"report": sentinel, "event_id": uuid.uuid4()}
    )
    produce(
        stack.broker.bootstrap,
        topics.reports_routed,
        [(unit.encode(), routed_copies[0].value)] * 2 + [(unit.encode(), encode(sentinel_routed))],
    )
    wait_until(lambda: str(sentinel.report_id) in _unit_task_report_ids(stack, unit), timeout_s=30, what="sentinel")
    assert _unit_task_report_ids(stack, unit).count(str(original.report_id)) == 1
    wait_until(lambda: _hotspot_count(stack, cell, original.category) >= before + 2, timeout_s=30, what="count")
    assert _hotspot_count(stack, cell, original.category) == before + 2

    created = [
        e
        for e in (decode_task_event(m.value) for m in read_all(stack.broker.bootstrap, topics.tasks))
        if isinstance(e, TaskCreated) and e.report_id == original.report_id
    ]
    assert created and len({e.event_id for e in created}) == 1


def test_unparsable_messages_go_to_the_dead_letter_topic_and_the_stream_goes_on(stack):
    topics = stack.broker.topics
    marker = uuid.uuid4().hex.encode()
    good = report(lat=PLACES["Kraków"][0], lon=PLACES["Kraków"][1])
    produce(
        stack.broker.bootstrap,
        topics.reports_submitted,
        [(good.key(), b"{not json " + marker), (good.key(), encode(good))],
    )
    wait_until(lambda: str(good.report_id) in _unit_task_report_ids(stack, "KMP-1261"), timeout_s=30, what="task")
    dead = [m for m in read_all(stack.broker.bootstrap, topics.dead_letter) if marker in m.value]
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["kmzb-source-topic"] == topics.reports_submitted.encode()
    assert b"not JSON" in headers["kmzb-reason"]


def test_reports_outside_every_unit_go_to_the_national_fallback_queue(stack):
    berlin = report(lat=52.52, lon=13.40)
    produce(stack.broker.bootstrap, stack.broker.topics.reports_submitted, [(berlin.key(), encode(berlin))])
    wait_until(lambda: str(berlin.report_id) in _unit_task_report_ids(stack, "UNROUTED"), timeout_s=30, what="fallback")


def test_geo_router_lookup_answers_the_owning_chain_and_404_outside_poland(stack):
    with stack.client("geo-router") as c:
        body = c.get("/api/v1/units/lookup", params={"lat": 50.0614, "lon": 19.9366}).json()
        assert [u["unit_id"] for u in body["unit_chain"]] == ["KGP", "KWP-12", "KMP-1261"]
        outside = c.get("/api/v1/units/lookup", params={"lat": 52.52, "lon": 13.40})
        assert outside.status_code == 404 and outside.json()["error"]["code"] == "outside_jurisdiction"
        assert c.get("/api/v1/units/lookup", params={"lat": "nan", "lon": 1}).status_code == 422


def test_a_crashed_notifier_rebuilds_its_tasks_without_duplicates(stack):
    lat, lon, unit, _ = PLACES["Zakopane"]
    with stack.client("intake") as intake:
        resp = intake.post(
            "/api/v1/reports", json={"category": "WYPALANIE_TRAW", "lat": lat, "lon": lon, "terms_accepted": True}
        )
    rid = resp.json()["report_id"]
    wait_until(lambda: rid in _unit_task_report_ids(stack, unit), timeout_s=30, what="task")
    before = _unit_task_report_ids(stack, unit)

    stack.restart("notifier", crash=True)

    # The rebuilt list holds every task it had (other tests may add more meanwhile), each once.
    wait_until(lambda: set(before) <= set(_unit_task_report_ids(stack, unit)), timeout_s=30, what="rebuild")
    after = _unit_task_report_ids(stack, unit)
    assert len(after) == len(set(after))
