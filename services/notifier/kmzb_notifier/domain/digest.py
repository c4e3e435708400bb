"""A unit's daily digest (pure domain code)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from kmzb_contracts import OPEN_STATUSES, DeadlineKind

from .deadlines import pending_statuses
from .model import Task

__all__ = ["daily_digest"]


def daily_digest(tasks: Iterable[Task], *, unit_id: str, day: date, now: datetime) -> dict[str, Any]:
    """Counts of a day for a unit: new tasks, merged reports, status changes, open and overdue tasks."""
    new = merged = changes = escalations = 0
    open_by_status: Counter[str] = Counter()
    new_by_category: Counter[str] = Counter()
    overdue: list[str] = []
    for task in tasks:
        if task.created_at.date() == day:
            new += 1
            new_by_category[task.category] += 1
        merged += sum(1 for at in task.merged_at if at.date() == day)
        changes += sum(1 for h in task.history if h["at"].date() == day)
        escalations += sum(1 for e in task.escalations if e["at"].date() == day)
        status = task.status
        if status in OPEN_STATUSES:
            open_by_status[status.value] += 1
            if any(
                status in pending_statuses(kind) and (due := task.due_at(kind)) is not None and due <= now
                for kind in DeadlineKind
            ):
                overdue.append(task.task_id)
    return {
        "unit_id": unit_id,
        "date": day.isoformat(),
        "new_tasks": new,
        "new_by_category": dict(sorted(new_by_category.items())),
        "merged_reports": merged,
        "status_changes": changes,
        "escalations": escalations,
        "open_by_status": dict(sorted(open_by_status.items())),
        "overdue_task_ids": sorted(overdue),
    }
