"""The public read model of a threat: no reporter data; visibility and location by the contracts' rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import h3

from kmzb_contracts import HOTSPOT_RESOLUTION, STATUS_COLOURS, STATUS_LABELS_PL, Category, is_public, public_location

from .model import Task

__all__ = ["public_threat"]


def public_threat(
    task: Task, *, category: Category | None, now: datetime, fade_after: timedelta
) -> dict[str, Any] | None:
    """What the public map shows of a task, or None when it is not public.

    Built field by field from an allow-list: reporter data, descriptions, report ids and officers'
    notes never reach it, whatever the task holds.
    """
    status = task.status
    if not is_public(status, status_changed_at=task.status_changed_at, now=now, fade_after=fade_after):
        return None
    where = public_location(category, lat=task.lat, lon=task.lon)
    return {
        "threat_id": task.task_id,
        "category": task.category,
        "category_name_pl": category.name_pl if category else task.category,
        "lat": where.lat,
        "lon": where.lon,
        "location_snapped": where.snapped,
        # The hotspot cell of the shown point: pages name the place with the geo-router's /cells/places.
        "place_cell": h3.latlng_to_cell(where.lat, where.lon, HOTSPOT_RESOLUTION),
        "status": status.value,
        "status_label_pl": STATUS_LABELS_PL[status],
        "colour": STATUS_COLOURS[status],
        "report_count": task.report_count,
        "confirmation_count": task.confirmation_count,
        "created_at": task.created_at,
        "updated_at": task.status_changed_at,
    }
