"""Notifier with a controllable clock: deadlines and escalation, feeds, webhooks, digest, public map."""

import asyncio
import json

import h3


def run(coro):
    return asyncio.run(coro)


def _only_task(h):
    [task] = h.http.get("/api/v1/units/KMP-1261/tasks", headers=h.login("admin")).json()["tasks"]
    return task


def _feed(h, unit, who="admin", after=0):
    resp = h.http.get(f"/api/v1/units/{unit}/feed/items", params={"after": after}, headers=h.login(who))
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def test_an_overdue_task_escalates_once_to_the_parent_units_coordinator(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    task = _only_task(harness)
    harness.clock.advance(days=2, hours=23)
    assert run(harness.notifier.timers.escalate_overdue()) == 0
    harness.clock.advance(hours=1)
    assert run(harness.notifier.timers.escalate_overdue()) == 1
    assert run(harness.notifier.timers.escalate_overdue()) == 0

    [event] = harness.publisher.events("TaskEscalated")
    assert (event.escalated_to, event.deadline, str(event.task_id)) == ("KWP-12", "review", task["task_id"])
    kwp_items = [i for i in _feed(harness, "KWP-12", "koordynator.kwp12") if i["type"] == "TaskEscalated"]
    assert [i["data"]["task_id"] for i in kwp_items] == [task["task_id"]]
    assert _only_task(harness)["escalations"][0]["to"] == "KWP-12"


def test_a_task_verified_in_time_does_not_escalate_but_one_left_in_verification_does(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    run(harness.notifier.reports.handle_routed(routed(lat=50.07, lon=19.95)))
    first, second = sorted(
        harness.http.get("/api/v1/units/KMP-1261/tasks", headers=harness.login("admin")).json()["tasks"],
        key=lambda t: t["task_id"],
    )
    auth = harness.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "POTWIERDZONE"):
        harness.http.post(f"/api/v1/tasks/{first['task_id']}/status", json={"status": status}, headers=auth)
    harness.http.post(f"/api/v1/tasks/{second['task_id']}/status", json={"status": "WERYFIKACJA"}, headers=auth)
    harness.clock.advance(days=5)
    assert run(harness.notifier.timers.escalate_overdue()) == 1
    [event] = harness.publisher.events("TaskEscalated")
    assert str(event.task_id) == second["task_id"] and event.deadline == "verification"


def test_deadline_timers_survive_a_restart_because_they_live_in_the_store(make_harness, routed):
    before = make_harness()
    run(before.notifier.reports.handle_routed(routed()))
    # A new process over the same store, days later, still knows what is due.
    after = make_harness(before.db, clock=before.clock)
    after.clock.advance(days=3)
    assert run(after.notifier.timers.escalate_overdue()) == 1


def test_deadlines_are_configurable_per_unit_the_most_specific_unit_winning(make_harness, routed):
    h = make_harness(
        deadlines={
            "per_unit": {
                "KWP-12": {"review_s": 3600, "verification_s": 7200},
                "KMP-1261": {"review_s": 60, "verification_s": 120},
            }
        }
    )
    run(h.notifier.reports.handle_routed(routed()))
    h.clock.advance(seconds=61)
    assert run(h.notifier.timers.escalate_overdue()) == 1
    h.clock.advance(seconds=60)
    assert run(h.notifier.timers.escalate_overdue()) == 1
    assert [e.deadline for e in h.publisher.events("TaskEscalated")] == ["review", "verification"]


def test_feeds_resume_after_the_last_item_missing_nothing_and_repeating_nothing(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    first = _feed(harness, "KMP-1261", "dzielnicowy.krakow")
    assert [i["seq"] for i in first] == [1]
    run(harness.notifier.reports.handle_routed(routed(lat=50.0615, lon=19.9367)))
    run(harness.notifier.reports.handle_routed(routed(lat=50.09, lon=19.99)))
    run(harness.notifier.reports.handle_routed(routed(lat=50.09, lon=19.99)))  # a different report at the same place
    rest = _feed(harness, "KMP-1261", "dzielnicowy.krakow", after=first[-1]["seq"])
    assert [i["seq"] for i in rest] == [2, 3, 4]
    assert [i["type"] for i in first + rest] == ["TaskCreated", "ReportMerged", "TaskCreated", "ReportMerged"]
    # Redelivered input adds nothing to the feed.
    assert _feed(harness, "KMP-1261", after=4) == []
    # The voivodeship's feed carries its subtree's items with its own sequence.
    assert [i["seq"] for i in _feed(harness, "KWP-12", "koordynator.kwp12")] == [1, 2, 3, 4]
    invalid = harness.http.get("/api/v1/me/feed", headers={**harness.login("admin"), "last-event-id": "abc"})
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_last_event_id"


def test_a_webhook_receiver_that_fails_three_times_gets_the_item_once_with_backoff(make_harness, routed):
    h = make_harness(failures=3, webhooks={"base_delay_s": 10, "max_delay_s": 3600})
    coordinator = h.login("koordynator.krakow")
    resp = h.http.post(
        "/api/v1/units/KMP-1261/webhooks", json={"url": "http://dispatch.example/kmzb"}, headers=coordinator
    )
    assert resp.status_code == 201, resp.text
    recipient = resp.json()["recipient_id"]
    officer = h.login("dzielnicowy.krakow")
    assert h.http.post("/api/v1/units/KMP-1261/webhooks", json={"url": "http://x"}, headers=officer).status_code == 403

    run(h.notifier.reports.handle_routed(routed()))
    delays = []
    for _ in range(3):
        assert run(h.notifier.timers.deliver_webhooks()) == 0
        [d] = h.http.get(f"/api/v1/webhooks/{recipient}/deliveries", headers=coordinator).json()["deliveries"]
        delays.append(d["next_attempt_at"])
        # Not due yet: nothing is attempted before the backoff ends.
        assert run(h.notifier.timers.deliver_webhooks()) == 0
        h.clock.advance(seconds=10 * 2 ** len(delays))
    assert len(h.sender.attempts) == 3
    assert run(h.notifier.timers.deliver_webhooks()) == 1
    assert run(h.notifier.timers.deliver_webhooks()) == 0
    assert [d["type"] for d in h.sender.delivered] == ["TaskCreated"]
    [d] = h.http.get(f"/api/v1/webhooks/{recipient}/deliveries", headers=coordinator).json()["deliveries"]
    assert (d["state"], d["attempts"], d["last_error"]) == ("delivered", 4, None)
    assert delays == sorted(delays) and len(set(delays)) == 3


def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_last_attempt(make_harness, routed):
    h = make_harness(failures=100, webhooks={"base_delay_s": 0, "max_attempts": 3})
    coordinator = h.login("koordynator.kwp12")
    recipient = h.http.post(
        "/api/v1/units/KWP-12/webhooks", json={"url": "http://dispatch.example/"}, headers=coordinator
    ).json()["recipient_id"]
    run(h.notifier.reports.handle_routed(routed()))
    for _ in range(5):
        run(h.notifier.timers.deliver_webhooks())
    [d] = h.http.get(f"/api/v1/webhooks/{recipient}/deliveries", headers=coordinator).json()["deliveries"]
    assert (d["state"], d["attempts"], d["last_error"]) == ("failed", 3, "HTTP 503")


def test_events_the_broker_did_not_take_are_resent_by_the_outbox_relay(harness, routed):
    harness.publisher.down = True
    run(harness.notifier.reports.handle_routed(routed()))
    assert harness.publisher.sent == []
    harness.publisher.down = False
    harness.clock.advance(seconds=5)
    from datetime import timedelta

    assert run(harness.notifier.timers.relay_outbox(older_than=timedelta(seconds=2))) == 1
    assert run(harness.notifier.timers.relay_outbox(older_than=timedelta(seconds=2))) == 0
    assert [e.event_type for e in harness.publisher.events()] == ["TaskCreated"]


class HeldAcks:
    """A publisher whose acknowledgements the test releases, or fails, by hand."""

    def __init__(self) -> None:
        self.order: list[bytes] = []
        self.acks: list[asyncio.Future] = []
        self._more = asyncio.Event()

    async def reached(self, count: int) -> None:
        """Return once ``count`` events were handed over."""
        while len(self.order) < count:
            self._more.clear()
            await self._more.wait()

    async def publish(self, *, key: bytes, value: bytes) -> None:
        await (await self.enqueue(key=key, value=value))

    async def enqueue(self, *, key: bytes, value: bytes) -> asyncio.Future:
        self.order.append(value)
        self.acks.append(asyncio.get_running_loop().create_future())
        self._more.set()
        return self.acks[-1]


def test_a_batch_sends_in_order_without_waiting_and_marks_only_acknowledged_events(harness, routed):
    held = HeldAcks()
    harness.notifier.emitter.publisher = held
    reports = [routed(), routed(lat=50.0615, lon=19.9367), routed(category="ZEBRACTWO")]

    async def scenario() -> None:
        async def handle_batch() -> None:
            async with harness.notifier.emitter.batch():
                for r in reports:
                    await harness.notifier.reports.handle_routed(r)

        batch = asyncio.ensure_future(handle_batch())
        await asyncio.wait_for(held.reached(3), timeout=5)
        # Every event was handed to the producer before any acknowledgement came back.
        assert len(held.order) == 3 and not batch.done()
        assert harness.db["outbox"].count_documents({}) == 3
        held.acks[0].set_result(None)
        held.acks[1].set_exception(ConnectionError("broker gone"))
        held.acks[2].set_result(None)
        await batch

    run(scenario())
    sent = [json.loads(v) for v in held.order]
    assert [e["event_type"] for e in sent] == ["TaskCreated", "ReportMerged", "TaskCreated"]
    assert [e["report_id"] for e in sent] == [str(r.report.report_id) for r in reports]
    # The acknowledged events left the outbox; the failed one waits there for the relay.
    assert [d["_id"] for d in harness.db["outbox"].find()] == [sent[1]["event_id"]]


def test_the_daily_digest_counts_the_units_day(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    run(harness.notifier.reports.handle_routed(routed(lat=50.0615, lon=19.9367)))
    run(harness.notifier.reports.handle_routed(routed(category="ZEBRACTWO")))
    task = next(
        t
        for t in harness.http.get("/api/v1/units/KMP-1261/tasks", headers=harness.login("admin")).json()["tasks"]
        if t["category"] == "ZEBRACTWO"
    )
    auth = harness.login("koordynator.krakow")
    harness.http.post(f"/api/v1/tasks/{task['task_id']}/status", json={"status": "WERYFIKACJA"}, headers=auth)
    harness.clock.advance(days=3, hours=1)
    body = harness.http.get("/api/v1/units/KWP-12/digest", params={"date": "2026-11-26"}, headers=auth)
    assert body.status_code == 403
    digest = harness.http.get("/api/v1/units/KMP-1261/digest", params={"date": "2026-11-26"}, headers=auth).json()
    assert digest["new_tasks"] == 2 and digest["merged_reports"] == 1 and digest["status_changes"] == 1
    assert digest["new_by_category"] == {"PRZEKRACZANIE_PREDKOSCI": 1, "ZEBRACTWO": 1}
    assert digest["open_by_status"] == {"NOWE": 1, "WERYFIKACJA": 1}
    assert len(digest["overdue_task_ids"]) == 1


def test_the_public_map_shows_no_reporter_data_and_snaps_privacy_categories(harness, routed):
    speeding, homeless = routed(), routed(lat=50.07, lon=19.95, category="OSOBA_BEZDOMNA")
    joke = routed(lat=50.08, lon=19.96, category="ZEBRACTWO")
    for r in (speeding, homeless, joke):
        run(harness.notifier.reports.handle_routed(r))
    tasks = {
        t["category"]: t
        for t in harness.http.get("/api/v1/units/KMP-1261/tasks", headers=harness.login("admin")).json()["tasks"]
    }
    auth = harness.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "ZART_LUB_POMYLKA"):
        harness.http.post(
            f"/api/v1/tasks/{tasks['ZEBRACTWO']['task_id']}/status",
            json={"status": status, "note": "Jan Kowalski"},
            headers=auth,
        )
    body = harness.http.get("/api/v1/public/threats").json()
    threats = {t["category"]: t for t in body["threats"]}
    assert set(threats) == {"PRZEKRACZANIE_PREDKOSCI", "OSOBA_BEZDOMNA"}
    assert threats["PRZEKRACZANIE_PREDKOSCI"]["colour"] == "green"
    assert (threats["PRZEKRACZANIE_PREDKOSCI"]["lat"], threats["PRZEKRACZANIE_PREDKOSCI"]["lon"]) == (50.0614, 19.9366)
    snapped = threats["OSOBA_BEZDOMNA"]
    centre = h3.cell_to_latlng(h3.latlng_to_cell(50.07, 19.95, 8))
    assert snapped["location_snapped"] and (snapped["lat"], snapped["lon"]) == tuple(round(c, 6) for c in centre)
    text = json.dumps(body, ensure_ascii=False)
    for secret in (
        speeding.report.device_key_hash,
        speeding.report.description,
        str(speeding.report.report_id),
        "Jan Kowalski",
    ):
        assert secret not in text
    assert set(body["threats"][0]) == {
        "threat_id", "category", "category_name_pl", "lat", "lon", "location_snapped", "place_cell", "status",
        "status_label_pl", "colour", "report_count", "confirmation_count", "created_at", "updated_at",
    }  # fmt: skip
    assert snapped["place_cell"] == h3.latlng_to_cell(50.07, 19.95, 8)
    bbox = harness.http.get("/api/v1/public/threats", params={"bbox": "19.90,50.05,19.94,50.065"}).json()["threats"]
    assert [t["category"] for t in bbox] == ["PRZEKRACZANIE_PREDKOSCI"]
    assert harness.http.get("/api/v1/public/threats", params={"bbox": "1,2,3"}).status_code == 422


def test_niepotwierdzone_fades_from_the_public_map_after_the_configured_time(make_harness, routed):
    h = make_harness(public_fade_after_s=86400)
    run(h.notifier.reports.handle_routed(routed()))
    task = _only_task(h)
    auth = h.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "NIEPOTWIERDZONE"):
        h.http.post(
            f"/api/v1/tasks/{task['task_id']}/status", json={"status": status, "note": "Nie stwierdzono."}, headers=auth
        )
    [shown] = h.http.get("/api/v1/public/threats").json()["threats"]
    assert shown["colour"] == "grey"
    h.clock.advance(days=1)
    assert h.http.get("/api/v1/public/threats").json()["threats"] == []
    # Coordinators still see it.
    assert _only_task(h)["status"] == "NIEPOTWIERDZONE"
