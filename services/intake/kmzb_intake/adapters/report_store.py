"""The intake's read model of reports in MongoDB: what a resident may see of a report."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from kmzb_contracts import ReportRouted, ReportSubmitted

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

    def record_submitted(self, report: ReportSubmitted) -> None:
        """Remember an accepted report (no effect if it is already known)."""
        self._reports.update_one({"_id": str(report.report_id)}, {"$setOnInsert": _base(report)}, upsert=True)

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
                },
            },
            upsert=True,
        )

    def get(self, report_id: str) -> dict[str, Any] | None:
        """The report's public state, or None."""
        return self._reports.find_one({"_id": report_id}, {"_id": 0})
