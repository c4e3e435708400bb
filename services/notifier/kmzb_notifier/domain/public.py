"""The public read model of a threat: no reporter data, privacy locations snapped (pure domain code)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import h3

from kmzb_contracts import STATUS_COLOURS, STATUS_LABELS_PL, Category, TaskStatus

from .model import Task

__all__ = ["public_threat", "is_public"]


def is_public(status: TaskStatus, *, status_changed_at: datetime, now: datetime, fade_after: timedelta) -> bool:
    """Żart lub pomyłka is never public; Niepotwierdzone fades out after ``fade_after``."""
    if STATUS_COLOURS[status] is None:
        return False
    if status is TaskStatus.NIEPOTWIERDZONE:
        return now - status_changed_at < fade_after
    return True


def public_threat(
    task: Task, *, category: Category | None, privacy_resolution: int, now: datetime, fade_after: timedelta
) -> dict[str, Any] | None:
    """What the public map shows of a task, or None when it is not public.

    Built field by field from an allow-list: reporter data, descriptions, report ids and officers'
    notes never reach it, whatever the task holds.
    """
    status = task.status
    changed_at = task.status_changed_at
    if not is_public(status, status_changed_at=changed_at, now=now, fade_after=fade_after):
        return None
    lat, lon = float(task.lat), float(task.lon)
    snapped = category is None or category.privacy
    if snapped:
        lat, lon = h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, privacy_resolution))
    return {
        "threat_id": task.task_id,
        "category": task.category,
        "category_name_pl": category.name_pl if category else task.category,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "location_snapped": snapped,
        "status": status.value,
        "status_label_pl": STATUS_LABELS_PL[status],
        "colour": STATUS_COLOURS[status],
        "report_count": task.report_count,
        "confirmation_count": task.confirmation_count,
        "created_at": task.created_at,
        "updated_at": changed_at,
    }
