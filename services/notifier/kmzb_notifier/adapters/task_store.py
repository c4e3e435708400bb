"""Tasks in MongoDB: one document per task, inserted once by its id."""

from __future__ import annotations

from typing import Any

import pymongo
from pymongo.database import Database

from kmzb_contracts import TaskCreated

__all__ = ["TaskStore"]


class TaskStore:
    """Per-unit task lists kept in the ``tasks`` collection."""

    def __init__(self, db: Database[Any]) -> None:
        self._tasks = db["tasks"]
        self._tasks.create_index([("unit_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)])

    def add(self, task: TaskCreated) -> bool:
        """Insert the task unless it exists; True when it was new (idempotent by task id)."""
        doc = task.model_dump(mode="python", exclude={"schema_version", "event_type"})
        doc["_id"] = str(task.task_id)
        doc["task_id"] = str(task.task_id)
        doc["report_id"] = str(task.report_id)
        doc["event_id"] = str(task.event_id)
        doc["status"] = task.status.value
        result = self._tasks.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)
        return result.upserted_id is not None

    def list_for_unit(self, unit_id: str, *, limit: int) -> list[dict[str, Any]]:
        """The unit's newest tasks first."""
        cursor = self._tasks.find({"unit_id": unit_id}, {"_id": 0, "event_id": 0})
        return list(cursor.sort("created_at", pymongo.DESCENDING).limit(limit))

    def count_for_unit(self, unit_id: str) -> int:
        """How many tasks the unit has."""
        return self._tasks.count_documents({"unit_id": unit_id})
