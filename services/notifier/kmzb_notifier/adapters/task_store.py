"""Tasks in MongoDB: one document per threat with its reports, history, deadlines and confirmations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import h3
import pymongo
from pymongo import ReturnDocument
from pymongo.database import Database

from kmzb_common.mongo import insert_if_absent
from kmzb_contracts import OPEN_STATUS_CODES, OPEN_STATUSES, DeadlineKind, TaskStatus

from ..domain.model import Task
from ..domain.tasks import BEAT_RESOLUTIONS

__all__ = ["TaskStore", "BeatStore"]

_HIDDEN_FIELDS = {"_id": 0}


def _threat_key(unit_id: str, category: str, cell: str) -> str:
    return f"{unit_id}|{category}|{cell}"


def _task(doc: dict[str, Any] | None) -> Task | None:
    # Not a projection: mongomock's find_one_and_update answers None when the projection drops _id.
    return Task.from_doc(doc) if doc is not None else None


def _tasks(cursor: Iterable[dict[str, Any]]) -> list[Task]:
    return [Task.from_doc(doc) for doc in cursor]


class TaskStore:
    """The ``tasks`` collection, the ``confirmations`` per device and the ``units`` chains seen."""

    def __init__(self, db: Database[Any]) -> None:
        self._tasks = db["tasks"]
        self._confirmations = db["confirmations"]
        self._units = db["units"]
        self._chains_written: dict[str, list[str]] = {}  # spares rewriting a unit's unchanged chain
        # Keyed look-ups (by _id) for the two questions every report asks: which task holds this
        # report, and which open task is the same threat (unit, category, dedup cell).
        self._reports = db["report_tasks"]
        self._open = db["open_threats"]
        self._tasks.create_index([("unit_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)])
        self._tasks.create_index([("unit_chain", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)])
        for kind in DeadlineKind:
            self._tasks.create_index([(f"{kind}_due_at", pymongo.ASCENDING)])
        self._confirmations.create_index([("task_id", pymongo.ASCENDING)])

    def insert(self, task: Task) -> bool:
        """Insert a new task unless its id exists; True when it was new."""
        new = insert_if_absent(self._tasks, {"_id": task.task_id, **task.to_doc()})
        chain = list(task.unit_chain)
        if self._chains_written.get(task.unit_id) != chain:
            self._units.update_one({"_id": task.unit_id}, {"$set": {"chain": chain}}, upsert=True)
            self._chains_written[task.unit_id] = chain
        self._index_report(task.report_id, task.task_id)
        key = _threat_key(task.unit_id, task.category, task.cell)
        insert_if_absent(self._open, {"_id": key, "task_id": task.task_id, "created_at": task.created_at})
        return new

    def get(self, task_id: str) -> Task | None:
        """One task by id."""
        return _task(self._tasks.find_one({"_id": task_id}, _HIDDEN_FIELDS))

    def task_of_report(self, report_id: str) -> Task | None:
        """The task that already holds this report, if any (redelivery)."""
        entry = self._reports.find_one({"_id": report_id})
        return self.get(entry["task_id"]) if entry else None

    def open_match(self, *, unit_id: str, category: str, cells: Iterable[str]) -> Task | None:
        """The oldest open task of the unit for the category in one of ``cells``."""
        keys = [_threat_key(unit_id, category, cell) for cell in cells]
        for entry in sorted(self._open.find({"_id": {"$in": keys}}), key=lambda e: (e["created_at"], e["task_id"])):
            task = self.get(entry["task_id"])
            if task is not None and task.status in OPEN_STATUSES:
                return task
            # Left behind by a crash between closing the task and dropping its key.
            self._open.delete_one({"_id": entry["_id"], "task_id": entry["task_id"]})
        return None

    def merge(self, task_id: str, *, report_id: str, evidence: dict[str, Any], at: datetime) -> Task | None:
        """Add a report to the task once; the task after the merge, or None when it held it already."""
        merged = _task(
            self._tasks.find_one_and_update(
                {"_id": task_id, "report_ids": {"$ne": report_id}},
                {
                    "$addToSet": {"report_ids": report_id},
                    "$push": {"evidence": evidence, "merged_at": at},
                    "$inc": {"report_count": 1, "version": 1},
                },
                return_document=ReturnDocument.AFTER,
            )
        )
        # Indexed after the task holds the report: a crash in between leaves a report the next
        # delivery merges (the task refuses a second copy), never an index to a report not held.
        self._index_report(report_id, task_id)
        return merged

    def set_status(
        self,
        task_id: str,
        *,
        current: TaskStatus,
        target: TaskStatus,
        entry: dict[str, Any],
        at: datetime,
        version: int | None = None,
    ) -> Task | None:
        """Move the task from ``current`` (at ``version``, when given) to ``target`` and keep the entry.

        None if the task was not in ``current`` or not at ``version`` any more.
        """
        query: dict[str, Any] = {"_id": task_id, "status": current.value}
        if version is not None:
            query["version"] = version if version else {"$in": [0, None]}
        updated = _task(
            self._tasks.find_one_and_update(
                query,
                {
                    "$set": {"status": target.value, "status_changed_at": at},
                    "$push": {"history": entry},
                    "$inc": {"version": 1},
                },
                return_document=ReturnDocument.AFTER,
            )
        )
        if updated is not None and target not in OPEN_STATUSES:
            key = _threat_key(updated.unit_id, updated.category, updated.cell)
            self._open.delete_one({"_id": key, "task_id": task_id})
        return updated

    def _index_report(self, report_id: str, task_id: str) -> None:
        insert_if_absent(self._reports, {"_id": report_id, "task_id": task_id})

    def add_note(self, task_id: str, *, entry: dict[str, Any]) -> Task | None:
        """Keep an officer's internal note on the task; the task after it, or None when unknown."""
        return _task(
            self._tasks.find_one_and_update(
                {"_id": task_id},
                {"$push": {"notes": entry}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
        )

    def add_takeover(self, task_id: str, *, entry: dict[str, Any]) -> Task | None:
        """Keep a coordinator's takeover of the edit lock in the task's history."""
        return _task(
            self._tasks.find_one_and_update(
                {"_id": task_id},
                {"$push": {"lock_takeovers": entry}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
        )

    def assign(self, task_id: str, *, officer_id: str, entry: dict[str, Any]) -> Task | None:
        """Give the task to an officer and keep who did it."""
        return _task(
            self._tasks.find_one_and_update(
                {"_id": task_id},
                {"$set": {"assignee": officer_id}, "$push": {"assignments": entry}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
        )

    def confirm(self, task_id: str, *, device_key_hash: str, at: datetime) -> tuple[bool, int]:
        """Count a resident's "+1" once per device; (new, confirmations of the task)."""
        result = self._confirmations.update_one(
            {"_id": f"{task_id}:{device_key_hash}"},
            {"$setOnInsert": {"task_id": task_id, "confirmed_at": at}},
            upsert=True,
        )
        return result.upserted_id is not None, self.recount_confirmations(task_id)

    def recount_confirmations(self, task_id: str) -> int:
        """Set the task's confirmation count from the confirmations kept, which may predate the task."""
        # Recounted rather than incremented: a crash between two writes cannot lose a count, and
        # confirmations read before their task (topics replay independently) count once it exists.
        count = self._confirmations.count_documents({"task_id": task_id})
        if count:  # a new task starts at 0
            self._tasks.update_one(
                {"_id": task_id, "confirmation_count": {"$ne": count}},
                {"$set": {"confirmation_count": count}, "$inc": {"version": 1}},
            )
        return count

    def overdue(
        self, kind: DeadlineKind, *, pending: Iterable[TaskStatus], now: datetime, limit: int = 500
    ) -> list[Task]:
        """Tasks whose ``kind`` deadline passed in a pending status and that were not escalated yet."""
        query = {
            f"{kind}_due_at": {"$lte": now},
            f"{kind}_escalated_at": None,
            "status": {"$in": [s.value for s in pending]},
        }
        return _tasks(self._tasks.find(query, _HIDDEN_FIELDS).sort(f"{kind}_due_at", pymongo.ASCENDING).limit(limit))

    def mark_escalated(self, task_id: str, kind: DeadlineKind, *, to_unit: str, at: datetime) -> bool:
        """Record the escalation once; True the first time."""
        result = self._tasks.update_one(
            {"_id": task_id, f"{kind}_escalated_at": None},
            {
                "$set": {f"{kind}_escalated_at": at},
                "$push": {"escalations": {"deadline": kind.value, "to": to_unit, "at": at}},
                "$inc": {"version": 1},
            },
        )
        return result.modified_count == 1

    def list_for_unit(
        self,
        unit_id: str,
        *,
        subtree: bool = False,
        status: TaskStatus | None = None,
        cells: list[str] | None = None,
        limit: int = 100,
    ) -> list[Task]:
        """The unit's newest tasks first (with its subtree's when ``subtree``; only in ``cells`` when given)."""
        query = self._unit_query(unit_id, subtree=subtree, status=status, cells=cells)
        return _tasks(self._tasks.find(query, _HIDDEN_FIELDS).sort("created_at", pymongo.DESCENDING).limit(limit))

    def count_for_unit(
        self, unit_id: str, *, subtree: bool = False, status: TaskStatus | None = None, cells: list[str] | None = None
    ) -> int:
        """How many tasks the unit has."""
        return self._tasks.count_documents(self._unit_query(unit_id, subtree=subtree, status=status, cells=cells))

    def touching_day(self, unit_id: str, *, start: datetime) -> list[Task]:
        """The unit's subtree tasks that are open or changed since ``start`` (for the digest)."""
        query = {
            "unit_chain": unit_id,
            "$or": [
                {"status": {"$in": list(OPEN_STATUS_CODES)}},
                {"created_at": {"$gte": start}},
                {"status_changed_at": {"$gte": start}},
            ],
        }
        return _tasks(self._tasks.find(query, _HIDDEN_FIELDS))

    def public_candidates(
        self,
        *,
        hidden: Iterable[TaskStatus],
        bbox: tuple[float, float, float, float] | None,
        categories: Sequence[str],
        status: TaskStatus | None,
        limit: int,
        unit_id: str | None = None,
    ) -> list[Task]:
        """Tasks that may appear on the public map (fading is decided by the domain); no categories: all."""
        query: dict[str, Any] = {"status": {"$nin": [s.value for s in hidden]}}
        if status is not None:
            query["status"] = {"$eq": status.value, "$nin": [s.value for s in hidden]}
        if categories:
            query["category"] = {"$in": list(categories)}
        if unit_id is not None:
            query["unit_chain"] = unit_id
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            query["lat"] = {"$gte": min_lat, "$lte": max_lat}
            query["lon"] = {"$gte": min_lon, "$lte": max_lon}
        return _tasks(self._tasks.find(query, _HIDDEN_FIELDS).sort("created_at", pymongo.DESCENDING).limit(limit))

    def public_export(
        self,
        *,
        hidden: Iterable[TaskStatus],
        bbox: tuple[float, float, float, float] | None,
        category: str | None,
        unit_id: str | None,
        start: datetime,
        end: datetime,
    ) -> Iterator[Task]:
        """Tasks posted in [start, end) that may be public, read from a cursor one by one (open-data export)."""
        query: dict[str, Any] = {
            "status": {"$nin": [s.value for s in hidden]},
            "created_at": {"$gte": start, "$lt": end},
        }
        if category:
            query["category"] = category
        if unit_id:
            query["unit_chain"] = unit_id
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            query["lat"] = {"$gte": min_lat, "$lte": max_lat}
            query["lon"] = {"$gte": min_lon, "$lte": max_lon}
        cursor = self._tasks.find(query, _HIDDEN_FIELDS).sort("created_at", pymongo.ASCENDING).batch_size(500)
        for doc in cursor:
            yield Task.from_doc(doc)

    def chain_of(self, unit_id: str) -> list[str]:
        """The unit's chain as last seen on a task; just the unit when it was never seen."""
        doc = self._units.find_one({"_id": unit_id})
        return list(doc["chain"]) if doc else [unit_id]

    @staticmethod
    def _unit_query(
        unit_id: str, *, subtree: bool, status: TaskStatus | None, cells: list[str] | None = None
    ) -> dict[str, Any]:
        query: dict[str, Any] = {"unit_chain": unit_id} if subtree else {"unit_id": unit_id}
        if status is not None:
            query["status"] = status.value
        if cells is not None:
            query["cell"] = {"$in": cells}
        return query


class BeatStore:
    """Officers' beats: H3 cells (resolution 7 to 9) of a unit an officer covers."""

    def __init__(self, db: Database[Any]) -> None:
        self._beats = db["beats"]
        self._beats.create_index([("unit_id", pymongo.ASCENDING), ("cells", pymongo.ASCENDING)])

    def put(self, officer_id: str, *, unit_id: str, cells: list[str]) -> None:
        """Set the officer's beat in the unit."""
        self._beats.update_one({"_id": officer_id}, {"$set": {"unit_id": unit_id, "cells": cells}}, upsert=True)

    def of(self, officer_id: str) -> tuple[str, list[str]] | None:
        """The officer's beat: (unit, cells), or None."""
        doc = self._beats.find_one({"_id": officer_id})
        return (str(doc["unit_id"]), list(doc["cells"])) if doc else None

    def seed(self, officer_id: str, *, unit_id: str, cells: list[str]) -> bool:
        """Set the officer's beat unless one is stored (configured beats never undo a coordinator's change)."""
        return insert_if_absent(self._beats, {"_id": officer_id, "unit_id": unit_id, "cells": cells})

    def holders(self, unit_id: str) -> list[str]:
        """Officers with a beat in the unit."""
        return [str(d["_id"]) for d in self._beats.find({"unit_id": unit_id}, {"_id": 1})]

    def officer_for(self, unit_id: str, cell: str) -> str | None:
        """The officer whose beat in the unit covers ``cell``, if any."""
        res = h3.get_resolution(cell)
        parents = [h3.cell_to_parent(cell, r) for r in BEAT_RESOLUTIONS if r <= res]
        doc = self._beats.find_one({"unit_id": unit_id, "cells": {"$in": parents}}, sort=[("_id", 1)])
        return str(doc["_id"]) if doc else None
