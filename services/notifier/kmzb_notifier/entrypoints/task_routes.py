"""The console's routes on one task: its full view, internal notes, officers to assign, the PDF card."""

# No `from __future__ import annotations`: FastAPI must evaluate the Annotated dependency that
# closes over the verifier when the route is defined.

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kmzb_common.auth import Principal
from kmzb_contracts import STATUS_LABELS_PL, TaskStatus

from ..domain.partners import PARTNER_KIND_LABELS_PL
from ..workflow.desk import TaskDesk
from .api import PrincipalOf, TaskDetail, TaskId, UnitId, etag
from .errors import NotifierErrorsRoute

__all__ = ["build_task_router"]


class Move(BaseModel):
    """A status the task may move to next."""

    status: TaskStatus
    label_pl: str
    note_required: bool = Field(description="The guidelines expect a note with this status")


class DeliveryOut(BaseModel):
    """How the delivery of a handover to a partner's webhook stands."""

    state: str = Field(description="pending, delivered or failed")
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


class PartnerOut(BaseModel):
    """A body outside the police a task can be handed over to."""

    partner_id: str
    name_pl: str
    kind: str
    kind_pl: str
    has_webhook: bool = Field(description="The handover is delivered to the partner automatically")


class TimelineEntry(BaseModel):
    """One thing that happened to the task (kind: opened, merged, status, assigned, note, escalated)."""

    kind: str
    at: datetime
    by: str | None = None
    by_name: str | None = None
    report_id: str | None = None
    from_status: TaskStatus | None = None
    to_status: TaskStatus | None = None
    from_label_pl: str | None = None
    to_label_pl: str | None = None
    officer_id: str | None = None
    note: str | None = None
    deadline: str | None = None
    to_unit: str | None = None
    from_name: str | None = Field(default=None, description="Whose edit lock was taken over")
    partner_id: str | None = Field(default=None, description="Handed over to this partner outside the police")
    partner_name: str | None = None
    delivery: DeliveryOut | None = Field(default=None, description="The handover's webhook delivery, if any")


class LockOut(BaseModel):
    """Who edits the task and until when."""

    task_id: str
    holder: str = Field(description="Officer id")
    holder_name: str
    acquired_at: datetime
    expires_at: datetime = Field(description="Refresh before this, or the lock lapses")
    taken_over_from: str | None = Field(default=None, description="The officer a coordinator took it from")
    mine: bool = Field(description="The caller holds it")
    can_take_over: bool = Field(description="The caller (a coordinator) may take it over")


class TaskFullView(TaskDetail):
    """A task as the console shows it: the detail, the moves allowed and the whole timeline."""

    lock: LockOut | None = Field(description="The edit lock, when someone edits the task")

    allowed_moves: list[Move]
    timeline: list[TimelineEntry] = Field(description="Newest first")
    can_assign: bool = Field(description="The caller may give the task to any officer of the unit")
    can_take: bool = Field(description="The caller may take the task themself")


class NoteIn(BaseModel):
    """An internal note (officers only, never public)."""

    # The domain refuses over 2,000 characters with a reason; this only bounds the request.
    note: str = Field(max_length=20_000)


class AssignIn(BaseModel):
    """The officer to give the task to."""

    officer_id: str = Field(min_length=1, max_length=100)


class OfficerOut(BaseModel):
    """An officer who can take the unit's tasks."""

    officer_id: str
    name: str
    has_beat: bool


def _full(doc: dict[str, Any]) -> TaskFullView:
    return TaskFullView(**doc, status_label_pl=STATUS_LABELS_PL[TaskStatus(doc["status"])])


def build_task_router(desk: TaskDesk, *, principal_of: PrincipalOf) -> APIRouter:
    """Routes over the console's use cases."""
    router = APIRouter(prefix="/api/v1", tags=["tasks"], route_class=NotifierErrorsRoute)
    PrincipalDep = Annotated[Principal, Depends(principal_of)]

    @router.get("/tasks/{task_id}/view", response_model=TaskFullView, summary="A task as the console shows it")
    async def task_view(task_id: TaskId, principal: PrincipalDep, response: Response) -> TaskFullView:
        view = _full(await desk.view(principal, task_id))
        response.headers["ETag"] = etag(view.version)
        return view

    @router.get("/tasks/{task_id}/lock", response_model=LockOut | None, summary="Who edits the task")
    async def get_lock(task_id: TaskId, principal: PrincipalDep) -> Any:
        return await desk.lock(principal, task_id)

    @router.put(
        "/tasks/{task_id}/lock",
        response_model=LockOut,
        summary="Take or refresh the edit lock (5 minutes)",
        responses={423: {"description": "Another officer edits the task"}},
    )
    async def acquire_lock(task_id: TaskId, principal: PrincipalDep) -> Any:
        return await desk.acquire(principal, task_id)

    @router.post(
        "/tasks/{task_id}/lock/takeover",
        response_model=LockOut,
        summary="Take the edit lock over (coordinators; kept in the history)",
        responses={403: {"description": "Not a coordinator"}},
    )
    async def take_over_lock(task_id: TaskId, principal: PrincipalDep) -> Any:
        return await desk.acquire(principal, task_id, take_over=True)

    @router.delete("/tasks/{task_id}/lock", status_code=204, summary="Release the edit lock")
    async def release_lock(task_id: TaskId, principal: PrincipalDep) -> None:
        await desk.release(principal, task_id)

    @router.post("/tasks/{task_id}/notes", response_model=TaskFullView, status_code=201, summary="Add an internal note")
    async def add_note(task_id: TaskId, body: NoteIn, principal: PrincipalDep) -> TaskFullView:
        return _full(await desk.add_note(principal, task_id, text=body.note))

    @router.post("/tasks/{task_id}/assignee", response_model=TaskFullView, summary="Assign an officer of the unit")
    async def assign(task_id: TaskId, body: AssignIn, principal: PrincipalDep) -> TaskFullView:
        return _full(await desk.assign(principal, task_id, officer_id=body.officer_id))

    @router.get("/units/{unit_id}/partners", response_model=list[PartnerOut], summary="Partners outside the police")
    async def partners(unit_id: UnitId, principal: PrincipalDep) -> list[PartnerOut]:
        return [
            PartnerOut(
                partner_id=p.partner_id,
                name_pl=p.name_pl,
                kind=p.kind.value,
                kind_pl=PARTNER_KIND_LABELS_PL[p.kind],
                has_webhook=p.webhook_url is not None,
            )
            for p in await desk.partners(principal, unit_id)
        ]

    @router.get("/units/{unit_id}/officers", response_model=list[OfficerOut], summary="Officers of a unit")
    async def officers(unit_id: UnitId, principal: PrincipalDep) -> list[OfficerOut]:
        found = await desk.officers(principal, unit_id)
        return [OfficerOut(officer_id=o.officer_id, name=o.name, has_beat=o.has_beat) for o in found]

    @router.get(
        "/tasks/{task_id}/card.pdf",
        summary="Karta weryfikacji zagrożenia (PDF)",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    async def card(task_id: TaskId, principal: PrincipalDep) -> Response:
        name, pdf = await desk.card(principal, task_id)
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        }
        return Response(pdf, media_type="application/pdf", headers=headers)

    return router
