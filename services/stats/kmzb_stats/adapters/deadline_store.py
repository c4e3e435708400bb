"""Read model of task timelines (deadline accountability): port, MongoDB adapter and in-memory fake.

One document per task, written whole from the stream's table value: a timeline only gains events,
so rewriting it (a redelivery, a sync after recovery) is harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

import pymongo
from pymongo.database import Database

from kmzb_contracts import TaskStatus

from ..domain.deadlines import TaskTimeline

__all__ = ["DeadlineStore", "MongoDeadlineStore", "InMemoryDeadlineStore"]


class DeadlineStore(Protocol):
    """Where the task timelines are kept for the deadline figures."""

    def put(self, timelines: Iterable[TaskTimeline]) -> None:
        """Write timelines (whole documents, by task id)."""
        ...

    def timelines(self, *, since: datetime, unit_id: str | None = None) -> Iterator[TaskTimeline]:
        """Timelines of tasks posted at or after ``since``, of the unit and its subunits when given."""
        ...


class MongoDeadlineStore:
    """The ``task_timelines`` collection."""

    def __init__(self, db: Database[Any]) -> None:
        self._timelines = db["task_timelines"]
        self._timelines.create_index([("units", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING)])
        self._timelines.create_index([("created_at", pymongo.ASCENDING)])

    def put(self, timelines: Iterable[TaskTimeline]) -> None:
        # One upsert per document: mongomock does not honour every bulk_write option of pymongo.
        for t in timelines:
            self._timelines.replace_one({"_id": t.task_id}, _document(t), upsert=True)

    def timelines(self, *, since: datetime, unit_id: str | None = None) -> Iterator[TaskTimeline]:
        query: dict[str, Any] = {"created_at": {"$gte": since}}
        if unit_id is not None:
            query["units"] = unit_id
        for doc in self._timelines.find(query, {"event_ids": 0}):
            yield _timeline(doc)


class InMemoryDeadlineStore:
    """The same in memory, for tests."""

    def __init__(self) -> None:
        self._timelines: dict[str, TaskTimeline] = {}
        self._lock = threading.Lock()

    def put(self, timelines: Iterable[TaskTimeline]) -> None:
        with self._lock:
            for t in timelines:
                self._timelines[t.task_id] = t

    def timelines(self, *, since: datetime, unit_id: str | None = None) -> Iterator[TaskTimeline]:
        with self._lock:
            found = list(self._timelines.values())
        for t in found:
            if t.created_at >= since and (unit_id is None or unit_id in t.units):
                yield t


def _document(t: TaskTimeline) -> dict[str, Any]:
    return {
        "unit_id": t.unit_id,
        "units": list(t.units),
        "category": t.category,
        "status": str(t.status),
        "created_at": t.created_at,
        "reviewed_at": t.reviewed_at,
        "verified_at": t.verified_at,
        "closed_at": t.closed_at,
    }


def _timeline(doc: dict[str, Any]) -> TaskTimeline:
    return TaskTimeline(
        task_id=doc["_id"],
        unit_id=doc["unit_id"],
        units=tuple(doc["units"]),
        category=doc["category"],
        created_at=_aware(doc["created_at"]),
        status=TaskStatus(doc["status"]),
        reviewed_at=_aware(doc.get("reviewed_at")),
        verified_at=_aware(doc.get("verified_at")),
        closed_at=_aware(doc.get("closed_at")),
    )


def _aware(moment: Any) -> Any:
    # MongoDB gives back naive UTC datetimes unless the client is tz-aware.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
