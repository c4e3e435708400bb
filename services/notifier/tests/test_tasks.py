"""Notifier: one task per report, stored once, listed per unit."""

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import mongomock

from kmzb_contracts import ReportRouted, decode
from kmzb_notifier.adapters.task_store import TaskStore
from kmzb_notifier.domain.tasks import open_task

SAMPLES = resources.files("kmzb_contracts") / "samples" / "v1"


def _routed(name="ReportRouted.json"):
    return decode(SAMPLES.joinpath(name).read_text(encoding="utf-8"), ReportRouted)


def test_a_routed_report_opens_a_new_task_for_its_unit():
    routed = _routed()
    task = open_task(routed, now=datetime.now(UTC))
    assert task.unit_id == "KMP-1261"
    assert task.status == "NOWE"
    assert task.cell == routed.cells.dedup
    assert task.report_id == routed.report.report_id


def test_unrouted_reports_go_to_the_national_fallback_queue():
    task = open_task(_routed("ReportRouted.unrouted.json"), now=datetime.now(UTC))
    assert task.unit_id == "UNROUTED"


def test_redelivery_opens_the_same_task_and_stores_it_once():
    store = TaskStore(mongomock.MongoClient(tz_aware=True)["kmzb"])
    routed = _routed()
    first = open_task(routed, now=datetime.now(UTC))
    again = open_task(routed, now=datetime.now(UTC) + timedelta(seconds=5))
    assert first.task_id == again.task_id and first.event_id == again.event_id
    assert store.add(first) is True
    assert store.add(again) is False
    assert store.count_for_unit("KMP-1261") == 1
    [doc] = store.list_for_unit("KMP-1261", limit=10)
    assert doc["task_id"] == str(first.task_id)
    assert "device_key_hash" not in json.dumps(doc, default=str)
