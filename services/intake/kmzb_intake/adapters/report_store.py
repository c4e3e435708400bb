"""The intake's read model of reports in MongoDB: what a resident may see of a report."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo.database import Database

from kmzb_common.mongo import insert_if_absent
from kmzb_contracts import ReportMerged, ReportRouted, ReportSubmitted, TaskCreated, TaskStatusChanged

__all__ = ["ReportStore"]


def _base(report: ReportSubmitted) -> dict[str, Any]:
    return {
        "report_id": str(report.report_id),
        "category": report.category,
        "lat": report.lat,
        "lon": report.lon,
        "channel": report.channel.value,
        "submitted_at": report.submitted_at,
        "state": "submitted",
    }


class ReportStore:
    """One document per report; every write is an idempotent upsert."""

    def __init__(self, db: Database[Any]) -> None:
        self._reports = db["reports"]

    def ensure_indexes(self) -> None:
        """The attachment look-up of the officers' attachment route."""
        self._reports.create_index("attachment_ids")

    def record_submitted(self, report: ReportSubmitted) -> None:
        """Remember an accepted report (no effect if it is already known)."""
        insert_if_absent(self._reports, {"_id": str(report.report_id), **_base(report)})

    def record_routed(self, routed: ReportRouted) -> None:
        """Remember where a report was routed."""
        base = _base(routed.report)
        base.pop("state")
        owner = routed.unit_chain[-1] if routed.unit_chain else None
        self._reports.update_one(
            {"_id": str(routed.report.report_id)},
            {
                "$setOnInsert": base,
                "$set": {
                    "state": "routed" if routed.unit_id else "unrouted",
                    "unit_id": routed.unit_id,
                    "unit_name_pl": owner.name_pl if owner else None,
                    "unrouted_reason": routed.unrouted_reason.value if routed.unrouted_reason else None,
                    "routed_at": routed.routed_at,
                    # Who may see the report's files: officers whose units cover this chain.
                    "unit_chain": [u.unit_id for u in routed.unit_chain],
                    "attachment_ids": [a.attachment_id for a in routed.report.attachments],
                },
            },
            upsert=True,
        )

    def record_task(self, event: TaskCreated) -> None:
        """The report's task was opened: from now on it carries the task's verification status."""
        self._reports.update_one(
            {"_id": str(event.report_id)},
            {
                "$set": {"task_id": str(event.task_id), "status": event.status.value, "updated_at": event.created_at},
                "$addToSet": {"history": {"status": event.status.value, "at": event.created_at}},
            },
            upsert=True,
        )

    def record_merged(self, event: ReportMerged) -> None:
        """The report joined an open threat's task: it takes that task's status and history from now on."""
        task_id = str(event.task_id)
        known = self._reports.find_one(
            {"task_id": task_id, "status": {"$exists": True}, "_id": {"$ne": str(event.report_id)}},
            {"status": 1, "history": 1},
        )
        update: dict[str, Any] = {"$set": {"task_id": task_id, "updated_at": event.merged_at}}
        if known is not None:
            update["$set"]["status"] = known["status"]
            update["$addToSet"] = {"history": {"$each": known.get("history", [])}}
        self._reports.update_one({"_id": str(event.report_id)}, update, upsert=True)

    def record_task_status(self, event: TaskStatusChanged) -> None:
        """Every report of the task takes its new status."""
        self._reports.update_many(
            {"task_id": str(event.task_id)},
            {
                "$set": {"status": event.to_status.value, "updated_at": event.changed_at},
                "$addToSet": {"history": {"status": event.to_status.value, "at": event.changed_at}},
            },
        )

    def chain_of_attachment(self, attachment_id: str) -> list[str] | None:
        """The unit chain of the routed report that carries the attachment, or None."""
        doc = self._reports.find_one({"attachment_ids": attachment_id}, {"unit_chain": 1})
        return None if doc is None else list(doc.get("unit_chain") or [])

    def get(self, report_id: str) -> dict[str, Any] | None:
        """The report's public state, or None."""
        return self._reports.find_one({"_id": report_id, "category": {"$exists": True}}, {"_id": 0})

    def ids_starting(self, prefix: str, *, limit: int) -> list[str]:
        """Ids of known reports that start with ``prefix`` (hex digits of a short number), at most ``limit``."""
        query = {"_id": {"$regex": f"^{re.escape(prefix)}"}, "category": {"$exists": True}}
        return [doc["_id"] for doc in self._reports.find(query, {"_id": 1}).limit(limit)]

    def search(
        self,
        *,
        ids: list[str] | None,
        categories: list[str] | None,
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Reports for Open311 GET requests: by ids, or by categories and submission time, newest first."""
        query: dict[str, Any] = {"category": {"$exists": True}}
        if ids is not None:
            query["_id"] = {"$in": ids}
        else:
            query["submitted_at"] = {"$gte": start, "$lte": end}
            if categories is not None:
                query["category"] = {"$in": categories}
        return list(self._reports.find(query).sort("submitted_at", -1).limit(limit))
