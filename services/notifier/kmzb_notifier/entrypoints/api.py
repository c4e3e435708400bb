"""Officer-facing task API of the notifier."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from kmzb_common.mongo import run_db
from kmzb_contracts import STATUS_LABELS_PL, TaskStatus

from ..adapters.task_store import TaskStore

__all__ = ["build_router"]

UnitId = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$", description="Unit id, e.g. KMP-1261")]


class TaskView(BaseModel):
    """A task as an officer sees it."""

    task_id: str
    report_id: str
    unit_id: str
    category: str
    lat: float
    lon: float
    cell: str
    status: TaskStatus
    status_label_pl: str
    created_at: datetime


class TaskList(BaseModel):
    """A unit's tasks, newest first."""

    unit_id: str
    total: int = Field(description="All tasks of the unit")
    tasks: list[TaskView]


def build_router(store: TaskStore) -> APIRouter:
    """Routes over the task store."""
    router = APIRouter(prefix="/api/v1", tags=["tasks"])

    @router.get("/units/{unit_id}/tasks", response_model=TaskList, summary="A unit's task list")
    async def unit_tasks(unit_id: UnitId, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> TaskList:
        docs = await run_db(store.list_for_unit, unit_id, limit=limit)
        total = await run_db(store.count_for_unit, unit_id)
        tasks = [TaskView(**doc, status_label_pl=STATUS_LABELS_PL[TaskStatus(doc["status"])]) for doc in docs]
        return TaskList(unit_id=unit_id, total=total, tasks=tasks)

    return router
