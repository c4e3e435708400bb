"""A unit's daily digest (pure domain code)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from kmzb_contracts import OPEN_STATUSES, DeadlineKind, TaskStatus

from .deadlines import pending_statuses

__all__ = ["daily_digest"]


def daily_digest(tasks: Iterable[Mapping[str, Any]], *, unit_id: str, day: date, now: datetime) -> dict[str, Any]:
    """Counts of a day for a unit: new tasks, merged reports, status changes, open and overdue tasks."""
    new = merged = changes = escalations = 0
    open_by_status: Counter[str] = Counter()
    new_by_category: Counter[str] = Counter()
    overdue: list[str] = []
    for task in tasks:
        if task["created_at"].date() == day:
            new += 1
            new_by_category[task["category"]] += 1
        merged += sum(1 for at in task.get("merged_at", []) if at.date() == day)
        changes += sum(1 for h in task.get("history", []) if h["at"].date() == day)
        escalations += sum(1 for e in task.get("escalations", []) if e["at"].date() == day)
        status = TaskStatus(task["status"])
        if status in OPEN_STATUSES:
            open_by_status[status.value] += 1
            if any(
                status in pending_statuses(kind) and task.get(f"{kind}_due_at") and task[f"{kind}_due_at"] <= now
                for kind in DeadlineKind
            ):
                overdue.append(str(task["task_id"]))
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
