"""Notifier use cases through HTTP with a controllable clock: tasks, merging, workflow, scope, deadlines."""

import asyncio
import json

from kmzb_contracts import TaskStatus


def run(coro):
    return asyncio.run(coro)


def _tasks(h, unit: str, who: str = "admin", **params):
    resp = h.http.get(f"/api/v1/units/{unit}/tasks", headers=h.login(who), params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_routed_report_opens_one_task_for_its_unit_with_its_chain_and_deadlines(harness, routed):
    r = routed()
    assert run(harness.notifier.reports.handle_routed(r)) == "opened"
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    assert task["report_ids"] == [str(r.report.report_id)]
    assert task["unit_chain"] == ["KGP", "KWP-12", "KMP-1261"]
    assert task["status"] == "NOWE" and task["status_label_pl"] == "Nowe"
    assert task["review_due_at"].startswith("2026-11-29T08:00")
    assert task["verification_due_at"].startswith("2026-12-01T08:00")
    [created] = harness.publisher.events("TaskCreated")
    assert created.unit_chain == ("KGP", "KWP-12", "KMP-1261")


def test_reports_of_the_same_threat_merge_into_one_open_task(harness, routed):
    first, near, other_category = routed(), routed(lat=50.0620, lon=19.9370), routed(category="ZEBRACTWO")
    far = routed(lat=50.0800, lon=19.9900)
    outcomes = [run(harness.notifier.reports.handle_routed(r)) for r in (first, near, other_category, far)]
    assert outcomes == ["opened", "merged", "opened", "opened"]
    tasks = {t["category"] + str(t["report_count"]): t for t in _tasks(harness, "KMP-1261")["tasks"]}
    merged = tasks["PRZEKRACZANIE_PREDKOSCI2"]
    assert merged["report_ids"] == [str(first.report.report_id), str(near.report.report_id)]
    [event] = harness.publisher.events("ReportMerged")
    assert event.report_count == 2 and str(event.task_id) == merged["task_id"]
    detail = harness.http.get(f"/api/v1/tasks/{merged['task_id']}", headers=harness.login("admin")).json()
    assert [e["report_id"] for e in detail["evidence"]] == merged["report_ids"]
    assert "device_key_hash" not in json.dumps(detail)


def test_a_redelivered_report_changes_nothing_and_publishes_the_same_event_id(harness, routed):
    r, other = routed(), routed(lat=50.0615, lon=19.9367)
    run(harness.notifier.reports.handle_routed(r))
    run(harness.notifier.reports.handle_routed(other))
    assert run(harness.notifier.reports.handle_routed(r)) == "redelivered"
    assert run(harness.notifier.reports.handle_routed(other)) == "redelivered"
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    assert task["report_count"] == 2
    ids = [e.event_id for e in harness.publisher.events()]
    assert len(ids) == 4 and len(set(ids)) == 2


def test_a_report_after_the_threat_was_closed_opens_a_new_task(harness, routed):
    first = routed()
    run(harness.notifier.reports.handle_routed(first))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    auth = harness.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "NIEPOTWIERDZONE"):
        body = {"status": status, "note": "Nie stwierdzono."}
        resp = harness.http.post(f"/api/v1/tasks/{task['task_id']}/status", json=body, headers=auth)
        assert resp.status_code == 200, resp.text
    assert run(harness.notifier.reports.handle_routed(routed())) == "opened"
    assert _tasks(harness, "KMP-1261")["total"] == 2


def test_the_workflow_records_every_change_and_refuses_invalid_ones_with_409(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    url = f"/api/v1/tasks/{task['task_id']}/status"
    officer = harness.login("dzielnicowy.krakow")

    skip = harness.http.post(url, json={"status": "POTWIERDZONE"}, headers=officer)
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "invalid_transition"
    path = [("WERYFIKACJA", 1), ("POTWIERDZONE", 2), ("POTWIERDZONE_WYELIMINOWANE", 3)]
    for status, minutes in path:
        harness.clock.advance(minutes=minutes)
        resp = harness.http.post(url, json={"status": status, "note": f"notatka {status}"}, headers=officer)
        assert resp.status_code == 200, resp.text
    final = harness.http.post(url, json={"status": "POTWIERDZONE"}, headers=officer)
    assert final.status_code == 409
    english = harness.http.post(url, json={"status": "NOWE"}, headers={**officer, "accept-language": "en"})
    assert english.json()["error"]["message"].startswith("Status change not allowed")

    detail = harness.http.get(f"/api/v1/tasks/{task['task_id']}", headers=officer).json()
    assert [(h["from"], h["to"]) for h in detail["history"]] == [
        ("NOWE", "WERYFIKACJA"),
        ("WERYFIKACJA", "POTWIERDZONE"),
        ("POTWIERDZONE", "POTWIERDZONE_WYELIMINOWANE"),
    ]
    assert {h["by"] for h in detail["history"]} == {"dzielnicowy.krakow"}
    assert detail["history"][2]["note"] == "notatka POTWIERDZONE_WYELIMINOWANE"
    assert detail["history"][2]["at"].startswith("2026-11-26T08:06")
    changes = harness.publisher.events("TaskStatusChanged")
    assert [c.to_status for c in changes] == [
        TaskStatus.WERYFIKACJA,
        TaskStatus.POTWIERDZONE,
        "POTWIERDZONE_WYELIMINOWANE",
    ]
    assert {c.changed_by for c in changes} == {"dzielnicowy.krakow"}


def test_officers_see_and_change_only_their_units_tasks(harness, routed):
    run(harness.notifier.reports.handle_routed(routed()))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    gdansk = harness.login("dzielnicowy.gdansk")
    assert harness.http.get("/api/v1/units/KMP-1261/tasks", headers=gdansk).status_code == 403
    assert harness.http.get(f"/api/v1/tasks/{task['task_id']}", headers=gdansk).status_code == 403
    change = harness.http.post(
        f"/api/v1/tasks/{task['task_id']}/status", json={"status": "WERYFIKACJA"}, headers=gdansk
    )
    assert change.status_code == 403 and change.json()["error"]["code"] == "forbidden"
    assert harness.http.get("/api/v1/units/KMP-1261/feed/items", headers=gdansk).status_code == 403

    assert harness.http.get("/api/v1/units/KMP-1261/tasks").status_code == 401
    bad = harness.http.get("/api/v1/units/KMP-1261/tasks", headers={"authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"

    # A voivodeship coordinator sees the whole subtree; an analyst reads but changes nothing.
    kwp = _tasks(harness, "KWP-12", "koordynator.kwp12", subtree=True)
    assert [t["task_id"] for t in kwp["tasks"]] == [task["task_id"]]
    analyst = harness.login("analityk.kgp")
    assert harness.http.get(f"/api/v1/tasks/{task['task_id']}", headers=analyst).status_code == 200
    denied = harness.http.post(
        f"/api/v1/tasks/{task['task_id']}/status", json={"status": "WERYFIKACJA"}, headers=analyst
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "role_forbidden"


def test_demo_login_needs_the_demo_password_and_exists_only_in_dev_mode(harness, make_harness):
    wrong = harness.http.post("/api/v1/auth/token", data={"username": "admin", "password": "admin"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    production = make_harness(auth={"hs256_secret": "x" * 32, "dev_login": False})
    assert production.http.post("/api/v1/auth/token", data={"username": "admin", "password": "demo"}).status_code == 404
    unconfigured = make_harness(auth={})
    assert unconfigured.http.get("/api/v1/units/KMP-1261/tasks").status_code == 503


def test_coordinators_assign_tasks_and_beats_assign_new_ones(harness, routed):
    coordinator = harness.login("koordynator.krakow")
    r = routed()
    beat = harness.http.put(
        "/api/v1/units/KMP-1261/beats/dzielnicowy.krakow", json={"cells": [r.cells.routing]}, headers=coordinator
    )
    assert beat.status_code == 204, beat.text
    bad = harness.http.put("/api/v1/units/KMP-1261/beats/x", json={"cells": ["zzz"]}, headers=coordinator)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cells"
    run(harness.notifier.reports.handle_routed(r))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    assert task["assignee"] == "dzielnicowy.krakow"
    [by_beat] = harness.publisher.events("TaskAssigned")
    assert by_beat.assigned_by == "beat"

    officer = harness.login("dzielnicowy.krakow")
    url = f"/api/v1/tasks/{task['task_id']}/assignment"
    assert harness.http.post(url, json={"officer_id": "x"}, headers=officer).status_code == 403
    resp = harness.http.post(url, json={"officer_id": "st.post.kowalski"}, headers=coordinator)
    assert resp.status_code == 200 and resp.json()["assignee"] == "st.post.kowalski"
    assert [a["by"] for a in resp.json()["assignments"]] == ["beat", "koordynator.krakow"]


def test_residents_confirmations_count_once_per_device(harness, routed):
    import uuid
    from datetime import UTC, datetime

    from kmzb_contracts import ThreatConfirmed

    run(harness.notifier.reports.handle_routed(routed()))
    [task] = _tasks(harness, "KMP-1261")["tasks"]

    def confirmation(device: str) -> ThreatConfirmed:
        return ThreatConfirmed(
            event_id=uuid.uuid4(),
            task_id=uuid.UUID(task["task_id"]),
            unit_id="KMP-1261",
            device_key_hash=device,
            confirmed_at=datetime.now(UTC),
        )

    assert run(harness.notifier.reports.handle_confirmation(confirmation("a" * 64))) is True
    assert run(harness.notifier.reports.handle_confirmation(confirmation("a" * 64))) is False
    assert run(harness.notifier.reports.handle_confirmation(confirmation("b" * 64))) is True
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    assert task["confirmation_count"] == 2


def test_a_report_redelivered_after_a_crash_before_emitting_is_emitted_then(harness, routed):
    r, near = routed(), routed(lat=50.0615, lon=19.9367)
    run(harness.notifier.reports.handle_routed(r))
    run(harness.notifier.reports.handle_routed(near))
    # The crash: the tasks were stored, but the outbox and the feeds never got the events.
    harness.db["outbox"].delete_many({})
    harness.db["feed_items"].delete_many({})
    harness.publisher.sent.clear()
    assert run(harness.notifier.reports.handle_routed(r)) == "redelivered"
    assert run(harness.notifier.reports.handle_routed(near)) == "redelivered"
    assert [e.event_type for e in harness.publisher.events()] == ["TaskCreated", "ReportMerged"]
    [merged] = harness.publisher.events("ReportMerged")
    assert merged.report_count == 2
    items = harness.http.get("/api/v1/units/KMP-1261/feed/items", headers=harness.login("admin")).json()["items"]
    assert [i["type"] for i in items] == ["TaskCreated", "ReportMerged"]


def test_confirmations_read_before_their_task_count_once_it_exists(harness, routed):
    import uuid
    from datetime import UTC, datetime

    from kmzb_contracts import ThreatConfirmed, derived_event_id

    r = routed()
    task_id = derived_event_id("task", str(r.report.report_id))
    early = ThreatConfirmed(
        event_id=uuid.uuid4(),
        task_id=task_id,
        unit_id="KMP-1261",
        device_key_hash="c" * 64,
        confirmed_at=datetime.now(UTC),
    )
    assert run(harness.notifier.reports.handle_confirmation(early)) is True
    run(harness.notifier.reports.handle_routed(r))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    assert task["task_id"] == str(task_id) and task["confirmation_count"] == 1


def test_a_stale_open_threat_key_left_by_a_crash_does_not_merge_into_a_closed_task(harness, routed):
    first = routed()
    run(harness.notifier.reports.handle_routed(first))
    [task] = _tasks(harness, "KMP-1261")["tasks"]
    auth = harness.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "ZART_LUB_POMYLKA"):
        body = {"status": status, "note": "Pomyłka zgłaszającego."}
        harness.http.post(f"/api/v1/tasks/{task['task_id']}/status", json=body, headers=auth)
    assert harness.db["open_threats"].count_documents({}) == 0
    # The crash: the task was closed but its key stayed.
    key = f"KMP-1261|{task['category']}|{task['cell']}"
    harness.db["open_threats"].insert_one({"_id": key, "task_id": task["task_id"], "created_at": harness.clock()})
    assert run(harness.notifier.reports.handle_routed(routed())) == "opened"
    assert _tasks(harness, "KMP-1261")["total"] == 2
