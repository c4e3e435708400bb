"""The intake's read models follow every task event type the notifier publishes."""

import asyncio
from importlib import resources

from kmzb_common.mongo import create_mongo_client
from kmzb_contracts import ReportMerged, decode
from kmzb_intake.adapters.report_store import ReportStore
from kmzb_intake.adapters.threats import ThreatStore
from kmzb_intake.entrypoints.projection import apply_message
from kmzb_intake.settings import IntakeSettings

SAMPLES = resources.files("kmzb_contracts") / "samples" / "v1"


def _sample(name: str) -> bytes:
    return SAMPLES.joinpath(name).read_bytes()


def test_created_merged_assigned_and_escalated_tasks_all_apply_without_stopping_the_projection():
    settings = IntakeSettings(device_key_secret="s" * 32)
    db = create_mongo_client("mongomock://local")["kmzb"]
    reports, threats = ReportStore(db), ThreatStore(db)
    topic = settings.topics.tasks
    for name in ("TaskCreated.json", "ReportMerged.json", "TaskAssigned.json", "TaskEscalated.json"):
        asyncio.run(apply_message(topic, _sample(name), settings, reports, threats))
    merged = decode(_sample("ReportMerged.json"), ReportMerged)
    assert db["reports"].find_one({"_id": str(merged.report_id)})["task_id"] == str(merged.task_id)
    assert db["threats"].find_one({"_id": str(merged.task_id)})["report_count"] == merged.report_count
