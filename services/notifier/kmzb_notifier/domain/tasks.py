"""Opening a verification task for a routed report (pure domain code)."""

from __future__ import annotations

from datetime import datetime

from kmzb_contracts import FALLBACK_QUEUE_KEY, ReportRouted, TaskCreated, TaskStatus, derived_event_id

__all__ = ["open_task"]


def open_task(routed: ReportRouted, *, now: datetime) -> TaskCreated:
    """The task for a routed report; unrouted reports go to the national fallback queue.

    Ids derive from the report id, so a redelivered report opens the same task again.
    """
    report_id = str(routed.report.report_id)
    return TaskCreated(
        event_id=derived_event_id("TaskCreated", report_id),
        task_id=derived_event_id("task", report_id),
        report_id=routed.report.report_id,
        unit_id=routed.unit_id or FALLBACK_QUEUE_KEY,
        category=routed.report.category,
        lat=routed.report.lat,
        lon=routed.report.lon,
        cell=routed.cells.dedup,
        status=TaskStatus.NOWE,
        created_at=now,
    )
