"""Intake never answers 2xx for a report the broker does not have: 503 while it is down, 202 after."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from kafka_helpers import read_all

from kmzb_common.kafka import ensure_topics
from kmzb_contracts import ReportSubmitted, TopicNames, decode
from kmzb_devstack import free_port, service_env, start_service, start_tansu, wait_until

pytestmark = pytest.mark.integration

REPORT = {"category": "NIELEGALNE_RAJDY", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}


def test_stopping_the_broker_mid_test_gives_503_and_the_retry_is_accepted_once_it_returns(tmp_path):
    """Own broker and intake (not the shared session ones), so the broker can be stopped."""
    log_dir = tmp_path / "logs"
    topics = TopicNames()
    broker_port = free_port()
    broker = start_tansu(port=broker_port, log_dir=log_dir)
    bootstrap = f"127.0.0.1:{broker_port}"
    asyncio.run(ensure_topics(bootstrap, topics.all()))
    port = free_port()
    env = service_env("intake", bootstrap=bootstrap, port=port, extra={"KMZB_INTAKE_KAFKA_REQUEST_TIMEOUT_S": "2"})
    intake = start_service("intake", "kmzb_intake", port=port, env=env, log_dir=log_dir, wait_ready_s=90)
    try:
        with httpx.Client(base_url=intake.url, timeout=30) as c:
            c.cookies.set("kmzb_device", uuid.uuid4().hex)
            before = c.post("/api/v1/reports", json=REPORT)
            assert before.status_code == 202, before.text

            broker.stop()
            key = str(uuid.uuid4())
            c.cookies.set("kmzb_device", uuid.uuid4().hex)
            down = c.post("/api/v1/reports", json=REPORT, headers={"Idempotency-Key": key})
            assert down.status_code == 503, down.text
            assert down.json()["error"]["code"] == "broker_unavailable"
            assert int(down.headers["retry-after"]) > 0

            broker = start_tansu(port=broker_port, log_dir=log_dir)
            asyncio.run(ensure_topics(bootstrap, topics.all()))
            answers: list[httpx.Response] = []

            def retried() -> bool:
                answers.append(c.post("/api/v1/reports", json=REPORT, headers={"Idempotency-Key": key}))
                return answers[-1].status_code == 202

            wait_until(retried, timeout_s=60, interval_s=0.5, what="report accepted after the broker returned")
            assert {a.status_code for a in answers} <= {202, 503}, [a.text for a in answers]
            report_id = answers[-1].json()["report_id"]
            replay = c.post("/api/v1/reports", json=REPORT, headers={"Idempotency-Key": key})
            assert replay.status_code == 202 and replay.json()["report_id"] == report_id

        # The attempt answered 503 may still reach the broker once it returns (the producer keeps
        # it buffered); it then carries the same ids as the accepted retry, so it is one report.
        on_topic = [decode(m.value, ReportSubmitted) for m in read_all(bootstrap, topics.reports_submitted)]
        assert on_topic and {str(r.report_id) for r in on_topic} == {report_id}
        assert len({r.event_id for r in on_topic}) == 1
    finally:
        intake.stop()
        broker.stop()
