"""Read model of open threats (for duplicates and "+1"), confirmations, and imported statistic rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from kmzb_common.mongo import insert_if_absent
from kmzb_contracts import OPEN_STATUS_CODES, ReportMerged, TaskCreated, TaskStatusChanged

__all__ = ["ThreatStore", "ConfirmationStore", "ImportLedger"]


class ThreatStore:
    """One document per task, fed by the tasks topic; every write is idempotent."""

    def __init__(self, db: Database[Any]) -> None:
        self._threats = db["threats"]

    def ensure_indexes(self) -> None:
        """Index the neighbourhood query."""
        self._threats.create_index([("cell", 1), ("category", 1)])

    def record_created(self, event: TaskCreated) -> None:
        """Remember a new task; a status already applied is kept."""
        self._threats.update_one(
            {"_id": str(event.task_id)},
            {
                "$setOnInsert": {"status": event.status.value},
                "$set": {
                    "unit_id": event.unit_id,
                    "category": event.category,
                    "lat": event.lat,
                    "lon": event.lon,
                    "cell": event.cell,
                    "created_at": event.created_at,
                },
            },
            upsert=True,
        )

    def record_status(self, event: TaskStatusChanged) -> None:
        """Apply a status change."""
        self._threats.update_one(
            {"_id": str(event.task_id)},
            {"$set": {"status": event.to_status.value, "unit_id": event.unit_id, "changed_at": event.changed_at}},
            upsert=True,
        )

    def record_merged(self, event: ReportMerged) -> None:
        """Another report joined the threat: keep its report count."""
        self._threats.update_one(
            {"_id": str(event.task_id)},
            {
                "$setOnInsert": {"unit_id": event.unit_id, "category": event.category},
                "$max": {"report_count": event.report_count},
            },
            upsert=True,
        )

    def open_in_cells(self, cells: list[str], category: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Open threats of ``category`` in ``cells``, newest first."""
        cursor = self._threats.find(
            {"cell": {"$in": cells}, "category": category, "status": {"$in": list(OPEN_STATUS_CODES)}},
            {"_id": 1, "status": 1, **_POS},
        )
        docs = sorted(cursor, key=lambda d: d.get("created_at") or datetime.min, reverse=True)
        return docs[:limit]

    def get_open(self, task_id: str) -> dict[str, Any] | None:
        """An open threat, or None (unknown or closed)."""
        return self._threats.find_one(
            {"_id": task_id, "status": {"$in": list(OPEN_STATUS_CODES)}, "unit_id": {"$exists": True}}
        )


_POS = {"category": 1, "lat": 1, "lon": 1, "unit_id": 1, "created_at": 1}


class ConfirmationStore:
    """One "+1" per device per threat: a unique key of threat and device hash."""

    def __init__(self, db: Database[Any]) -> None:
        self._confirmations = db["confirmations"]

    def add(self, task_id: str, device_hashes: list[str], *, now: datetime) -> bool:
        """True if this device had not confirmed the threat (under any current or previous secret)."""
        ids = [f"{task_id}|{h}" for h in device_hashes]
        if self._confirmations.find_one({"_id": {"$in": ids[1:]}}) is not None:
            return False
        return insert_if_absent(self._confirmations, {"_id": ids[0], "task_id": task_id, "confirmed_at": now})

    def remove(self, task_id: str, device_hash: str) -> None:
        """Undo a confirmation that could not be published."""
        self._confirmations.delete_one({"_id": f"{task_id}|{device_hash}"})


class ImportLedger:
    """Record ids of statistic rows already published: importing a file twice adds nothing."""

    def __init__(self, db: Database[Any]) -> None:
        self._records = db["imported_records"]

    def known(self, record_ids: list[str]) -> set[str]:
        """Which of ``record_ids`` were imported before."""
        return {d["_id"] for d in self._records.find({"_id": {"$in": record_ids}}, {"_id": 1})}

    def mark(self, record_id: str, *, source: str, now: datetime) -> None:
        """Remember a published row."""
        self._records.update_one({"_id": record_id}, {"$setOnInsert": {"source": source, "at": now}}, upsert=True)
