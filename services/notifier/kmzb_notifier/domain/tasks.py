"""Tasks of the KMZB verification workflow (pure domain code): opening, merging, status changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import h3

from kmzb_contracts import (
    FALLBACK_QUEUE_KEY,
    OPEN_STATUSES,
    DeadlineKind,
    ReportMerged,
    ReportRouted,
    TaskCreated,
    TaskStatus,
    TaskStatusChanged,
    can_transition,
    derived_event_id,
)

from .errors import InvalidTransition
from .model import Task

__all__ = [
    "BEAT_RESOLUTIONS",
    "InvalidTransition",
    "evidence_of",
    "invalid_beat_cells",
    "beat_task_cells",
    "new_task",
    "open_task",
    "merge_report",
    "merge_cells",
    "change_status",
    "parent_unit",
    "is_open",
]


def open_task(routed: ReportRouted, *, now: datetime) -> TaskCreated:
    """The task for a routed report; unrouted reports go to the national fallback queue.

    Ids derive from the report id, so a redelivered report opens the same task again.
    """
    report_id = str(routed.report.report_id)
    unit_id = routed.unit_id or FALLBACK_QUEUE_KEY
    chain = tuple(u.unit_id for u in routed.unit_chain) or (unit_id,)
    return TaskCreated(
        event_id=derived_event_id("TaskCreated", report_id),
        task_id=derived_event_id("task", report_id),
        report_id=routed.report.report_id,
        unit_id=unit_id,
        category=routed.report.category,
        lat=routed.report.lat,
        lon=routed.report.lon,
        cell=routed.cells.dedup,
        status=TaskStatus.NOWE,
        created_at=now,
        unit_chain=chain,
    )


def merge_cells(dedup_cell: str) -> list[str]:
    """The dedup cell and its first ring (~250 m): a report there is the same threat."""
    return sorted(h3.grid_disk(dedup_cell, 1))


def merge_report(
    routed: ReportRouted, *, task_id: uuid.UUID, unit_id: str, report_count: int, now: datetime
) -> ReportMerged:
    """The fact that ``routed`` joined an open task; the id derives from the report, like the task's."""
    report_id = str(routed.report.report_id)
    return ReportMerged(
        event_id=derived_event_id("ReportMerged", report_id),
        task_id=task_id,
        report_id=routed.report.report_id,
        unit_id=unit_id,
        category=routed.report.category,
        report_count=report_count,
        merged_at=now,
    )


def is_open(status: TaskStatus) -> bool:
    """Whether new reports of the same threat still join the task."""
    return status in OPEN_STATUSES


def change_status(
    *,
    task_id: uuid.UUID,
    unit_id: str,
    current: TaskStatus,
    target: TaskStatus,
    officer_id: str,
    note: str | None,
    now: datetime,
) -> TaskStatusChanged:
    """The status change, if the workflow allows it; InvalidTransition otherwise."""
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
    return TaskStatusChanged(
        event_id=uuid.uuid4(),
        task_id=task_id,
        unit_id=unit_id,
        from_status=current,
        to_status=target,
        changed_by=officer_id,
        note=note,
        changed_at=now,
    )


def parent_unit(chain: Iterable[str]) -> str:
    """The unit above the owner in its chain (the owner itself at the top)."""
    units = list(chain)
    return units[-2] if len(units) >= 2 else units[-1]


BEAT_RESOLUTIONS = (7, 8, 9)
"""An officer's beat is made of H3 cells of these resolutions."""


def invalid_beat_cells(cells: Iterable[str]) -> list[str]:
    """The cells of a beat that are not H3 cells of a beat resolution."""
    return [c for c in cells if not h3.is_valid_cell(c) or h3.get_resolution(c) not in BEAT_RESOLUTIONS]


def beat_task_cells(cells: Iterable[str]) -> list[str]:
    """The dedup cells (H3 r9, the cell a task keeps) a beat covers: its r9 cells and the children of coarser ones."""
    out: set[str] = set()
    for cell in cells:
        out.update(h3.cell_to_children(cell, 9) if h3.get_resolution(cell) < 9 else [cell])
    return sorted(out)


def evidence_of(routed: ReportRouted) -> dict[str, Any]:
    """What officers see of one report: never the device hash."""
    r = routed.report
    return {
        "report_id": str(r.report_id),
        "channel": r.channel.value,
        "submitted_at": r.submitted_at,
        "occurred_at": r.occurred_at,
        "description": r.description,
        "attachment_ids": [a.attachment_id for a in r.attachments],
        "attachments": [{"attachment_id": a.attachment_id, "content_type": a.content_type} for a in r.attachments],
        "recurrence": r.recurrence.model_dump(mode="json") if r.recurrence else None,
        "unit_names": {u.unit_id: u.name_pl for u in routed.unit_chain},
        "place_pl": routed.unit_chain[-1].name_pl if routed.unit_chain else None,
    }


def new_task(
    created: TaskCreated, *, evidence: dict[str, Any], due: Mapping[DeadlineKind, datetime], now: datetime
) -> Task:
    """The task ``created`` opens, with its first report's evidence and its deadlines."""
    task = Task(
        task_id=str(created.task_id),
        report_id=str(created.report_id),
        report_ids=[str(created.report_id)],
        evidence=[evidence],
        unit_id=created.unit_id,
        unit_chain=list(created.unit_chain),
        category=created.category,
        lat=created.lat,
        lon=created.lon,
        cell=created.cell,
        status=created.status,
        status_changed_at=now,
        created_at=now,
    )
    for kind, at in due.items():
        task.set_due(kind, at)
    return task
