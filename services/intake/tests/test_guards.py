"""One report per device per day, shared through MongoDB; Idempotency-Key; the broker down."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import mongomock
from fastapi.testclient import TestClient

from kmzb_devstack import wait_until
from kmzb_intake.adapters.guards import DeviceLimiter, Limited
from kmzb_intake.entrypoints.support import DEVICE_COOKIE

VALID = {"category": "NIEPRAWIDLOWE_PARKOWANIE", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}


def test_a_second_report_from_the_same_device_within_24_hours_gets_429_with_retry_after(intake):
    first = intake.client.post("/api/v1/reports", json=VALID)
    assert first.status_code == 202
    intake.clock.advance(hours=23)
    second = intake.client.post("/api/v1/reports", json={**VALID, "category": "ZEBRACTWO"})
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "rate_limited"
    assert "doby" in second.json()["error"]["message"]
    assert 3500 <= int(second.headers["retry-after"]) <= 3601
    assert len(intake.reports()) == 1
    intake.clock.advance(hours=1, seconds=1)
    assert intake.client.post("/api/v1/reports", json=VALID).status_code == 202


def test_the_limit_is_per_device_token_and_address(intake):
    assert intake.client.post("/api/v1/reports", json=VALID).status_code == 202
    other = TestClient(intake.client.app)
    assert other.post("/api/v1/reports", json=VALID).status_code == 202
    assert other.post("/api/v1/reports", json=VALID).status_code == 429


def test_forwarded_for_counts_only_from_a_trusted_proxy(intake_factory):
    app, *_ = intake_factory(trusted_proxies=["testclient"])
    with TestClient(app) as c:
        c.cookies.set(DEVICE_COOKIE, "a" * 32)
        for addr in ("198.51.100.1", "198.51.100.2"):
            assert c.post("/api/v1/reports", json=VALID, headers={"x-forwarded-for": addr}).status_code == 202
        assert c.post("/api/v1/reports", json=VALID, headers={"x-forwarded-for": "198.51.100.2"}).status_code == 429
    app, *_ = intake_factory()
    with TestClient(app) as c:
        c.cookies.set(DEVICE_COOKIE, "a" * 32)
        assert c.post("/api/v1/reports", json=VALID, headers={"x-forwarded-for": "198.51.100.1"}).status_code == 202
        assert c.post("/api/v1/reports", json=VALID, headers={"x-forwarded-for": "198.51.100.9"}).status_code == 429


def test_a_rotated_secret_keeps_the_limit_of_devices_seen_under_the_previous_one(intake_factory):
    app, publisher, db, *_ = intake_factory()
    with TestClient(app) as c:
        c.cookies.set(DEVICE_COOKIE, "b" * 32)
        assert c.post("/api/v1/reports", json=VALID).status_code == 202
    rotated, *_ = intake_factory(
        db=db, publisher=publisher, device_key_secret="n" * 32, device_key_previous_secrets=["s" * 32]
    )
    with TestClient(rotated) as c:
        c.cookies.set(DEVICE_COOKIE, "b" * 32)
        assert c.post("/api/v1/reports", json=VALID).status_code == 429
        c.cookies.set(DEVICE_COOKIE, "c" * 32)
        assert c.post("/api/v1/reports", json=VALID).status_code == 202
    assert publisher.on("kmzb.reports.submitted.v1")[-1].device_key_hash not in {
        e.device_key_hash for e in publisher.on("kmzb.reports.submitted.v1")[:-1]
    }


def test_replicas_racing_for_one_device_let_exactly_one_report_through():
    """Two limiters over one store stand for two intake replicas; the unique key decides."""
    db = mongomock.MongoClient(tz_aware=True)["kmzb"]
    now = datetime.now(UTC)
    replicas = [DeviceLimiter(db, window=timedelta(hours=24)) for _ in range(8)]
    results: list[object] = []
    barrier = threading.Barrier(len(replicas))

    def take(limiter: DeviceLimiter) -> None:
        barrier.wait()
        results.append(limiter.reserve(["device-x"], now=now))

    threads = [threading.Thread(target=take, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, str) for r in results) == 1
    assert sum(isinstance(r, Limited) for r in results) == 7


def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_report(intake):
    key = str(uuid.uuid4())
    first = intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
    again = intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert again.json()["report_id"] == first.json()["report_id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(intake.reports()) == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(intake):
    key = str(uuid.uuid4())
    assert intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key}).status_code == 202
    other = intake.client.post("/api/v1/reports", json={**VALID, "lat": 50.07}, headers={"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    bad = intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": "bad key with spaces"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_idempotency_key"
    assert len(intake.reports()) == 1


def test_a_duplicate_arriving_while_the_first_is_in_flight_gets_409_and_nothing_is_published_twice(intake_factory):
    app, publisher, db, *_ = intake_factory()
    publisher.gate = threading.Event()
    key = str(uuid.uuid4())
    answers: list = []
    with TestClient(app) as c:
        first = threading.Thread(
            target=lambda: answers.append(c.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key}))
        )
        first.start()
        wait_until(lambda: db["idempotency"].count_documents({}) == 1, timeout_s=5, what="first request claimed")
        second = TestClient(app).post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
        assert second.status_code == 409 and second.json()["error"]["code"] == "idempotency_in_progress"
        assert second.headers["retry-after"] == "1"
        publisher.gate.set()
        first.join(10)
        assert answers[0].status_code == 202
        # The retry after a lost answer comes from a client that never got its device cookie.
        retry = TestClient(app).post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
        assert retry.status_code == 202 and retry.json()["report_id"] == answers[0].json()["report_id"]
    assert len(publisher.published) == 1


def test_broker_down_gives_503_with_retry_after_and_the_resident_can_retry_at_once(intake):
    intake.publisher.down = True
    key = str(uuid.uuid4())
    resp = intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "5"
    assert resp.json()["error"]["code"] == "broker_unavailable"
    assert intake.db["reports"].count_documents({}) == 0
    assert intake.db["device_slots"].count_documents({}) == 0
    assert intake.db["idempotency"].count_documents({}) == 0
    intake.publisher.down = False
    retry = intake.client.post("/api/v1/reports", json=VALID, headers={"Idempotency-Key": key})
    assert retry.status_code == 202
    assert len(intake.reports()) == 1


def test_a_claim_left_pending_by_a_dead_replica_stops_blocking_retries_after_a_minute():
    from kmzb_intake.adapters.guards import IdempotencyStore

    store = IdempotencyStore(mongomock.MongoClient(tz_aware=True)["kmzb"], ttl=timedelta(hours=24))
    now = datetime.now(UTC)
    assert store.claim("r", fingerprint="f", now=now) is None
    pending = store.claim("r", fingerprint="f", now=now + timedelta(seconds=30))
    assert pending is not None and pending.pending
    assert store.claim("r", fingerprint="f", now=now + timedelta(seconds=61)) is None
    store.complete("r", status=202, body={"ok": True})
    done = store.claim("r", fingerprint="f", now=now + timedelta(hours=2))
    assert done is not None and done.body == {"ok": True}
    assert store.claim("r", fingerprint="f", now=now + timedelta(hours=25)) is None
