"""Intake in the whole pipeline: a report becomes a task, shows as an open threat nearby, gets "+1"s."""

from __future__ import annotations

import uuid

import pytest
from kafka_helpers import read_all

from kmzb_contracts import ThreatConfirmed, decode
from kmzb_devstack import wait_until

pytestmark = pytest.mark.integration


def test_a_reported_threat_is_offered_nearby_and_confirmed_once_per_device(stack):
    category = "BEZPANSKIE_PSY"
    lat, lon = 50.0652, 19.9450
    with stack.client("intake") as intake:
        intake.cookies.set("kmzb_device", uuid.uuid4().hex)
        resp = intake.post(
            "/api/v1/reports", json={"category": category, "lat": lat, "lon": lon, "terms_accepted": True}
        )
        assert resp.status_code == 202, resp.text
        second = intake.post(
            "/api/v1/reports", json={"category": category, "lat": lat, "lon": lon, "terms_accepted": True}
        )
        assert second.status_code == 429 and int(second.headers["retry-after"]) > 0

        def nearby() -> list[dict]:
            answer = intake.get(
                "/api/v1/threats/nearby", params={"lat": lat + 0.0005, "lon": lon, "category": category}
            )
            assert answer.status_code == 200, answer.text
            return answer.json()["threats"]

        wait_until(lambda: len(nearby()) >= 1, timeout_s=30, what="the task in the intake's threat read model")
        threat = nearby()[0]
        assert threat["status"] == "NOWE"

        confirmer = uuid.uuid4().hex
        intake.cookies.set("kmzb_device", confirmer)
        first = intake.post(threat["confirm_url"])
        again = intake.post(threat["confirm_url"])
        assert (first.status_code, first.json()["counted"]) == (201, True)
        assert (again.status_code, again.json()["counted"]) == (200, False)

    confirmations = [
        decode(m.value, ThreatConfirmed)
        for m in read_all(stack.broker.bootstrap, stack.broker.topics.threat_confirmations)
    ]
    ours = [c for c in confirmations if str(c.task_id) == threat["task_id"]]
    assert len(ours) == 1 and ours[0].unit_id == "KMP-1261"
