"""Officer-facing HTTP API: dev login, tasks and their workflow, feeds, webhooks, digest, public map."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

import h3
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AnyHttpUrl, BaseModel, Field

from kmzb_common.auth import Principal, Role, TokenIssuer, TokenVerifier, bearer_principal
from kmzb_common.http import ApiError
from kmzb_common.mongo import run_db
from kmzb_contracts import STATUS_LABELS_PL, TaskStatus

from ..adapters.feed_store import officer_feed, unit_feed
from ..workflow import Notifier, require_role

__all__ = ["build_router", "principal_dependency", "PrincipalOf", "TaskDetail", "TaskId", "UnitId"]

UnitId = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$", description="Unit id, e.g. KMP-1261")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="Task id")]
PrincipalOf = Callable[..., Principal]


def principal_dependency(verifier: TokenVerifier | None) -> PrincipalOf:
    """The caller's principal from the bearer token; 503 when no key is configured."""
    if verifier is not None:
        return bearer_principal(verifier)

    def not_configured() -> Principal:
        raise ApiError(
            503,
            "auth_not_configured",
            "Logowanie nie jest skonfigurowane.",
            "Authentication is not configured (set KMZB_NOTIFIER_AUTH__JWKS).",
        )

    return not_configured


class HistoryEntry(BaseModel):
    """One status change: who, when, from what to what, and the note."""

    event_id: str
    from_status: TaskStatus = Field(alias="from")
    to_status: TaskStatus = Field(alias="to")
    by: str = Field(description="Officer id")
    by_name: str
    at: datetime
    note: str | None = None


class TaskView(BaseModel):
    """A task as an officer sees it."""

    task_id: str
    report_id: str = Field(description="The report that opened the task")
    report_ids: list[str] = Field(description="Every report of the threat, the first one included")
    report_count: int
    confirmation_count: int = Field(description="Residents' confirmations, one per device")
    unit_id: str
    unit_chain: list[str]
    category: str
    lat: float
    lon: float
    cell: str
    status: TaskStatus
    status_label_pl: str
    created_at: datetime
    status_changed_at: datetime
    assignee: str | None = None
    review_due_at: datetime | None = None
    verification_due_at: datetime | None = None
    escalations: list[dict[str, Any]] = Field(default_factory=list)


class TaskDetail(TaskView):
    """A task with its whole history and the reports' evidence."""

    history: list[HistoryEntry]
    assignments: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


class TaskList(BaseModel):
    """A unit's tasks, newest first."""

    unit_id: str
    total: int = Field(description="All tasks of the unit (and subtree, when asked)")
    tasks: list[TaskView]


class StatusChange(BaseModel):
    """A requested status change."""

    status: TaskStatus
    # The workflow refuses notes over 2,000 characters with a reason; this only bounds the request.
    note: str | None = Field(default=None, max_length=20_000)


class Assignment(BaseModel):
    """A coordinator's assignment."""

    officer_id: str = Field(min_length=1, max_length=100)


class BeatIn(BaseModel):
    """An officer's beat: H3 cells of resolution 7 to 9."""

    cells: list[str] = Field(min_length=1, max_length=2000)


class WebhookIn(BaseModel):
    """An external dispatch system that takes the unit's items."""

    url: AnyHttpUrl


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


def _view(doc: dict[str, Any], model: type[TaskView] = TaskView) -> Any:
    return model(**doc, status_label_pl=STATUS_LABELS_PL[TaskStatus(doc["status"])])


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not (parts[0] <= parts[2] and parts[1] <= parts[3]):
        raise ApiError(
            422,
            "invalid_bbox",
            "Nieprawidłowy obszar: podaj bbox=minLon,minLat,maxLon,maxLat.",
            "Invalid area: give bbox=minLon,minLat,maxLon,maxLat.",
        )
    return parts  # type: ignore[return-value]


def build_router(notifier: Notifier, *, verifier: TokenVerifier | None, issuer: TokenIssuer | None) -> APIRouter:
    """Routes over the notifier's use cases."""
    router = APIRouter(prefix="/api/v1")
    settings = notifier.settings

    principal_of = principal_dependency(verifier)
    PrincipalDep = Annotated[Principal, Depends(principal_of)]

    if issuer is not None:

        @router.post("/auth/token", response_model=Token, tags=["auth"], summary="Demo login (local development only)")
        async def token(request: Request) -> Token:
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            username = (form.get("username") or [""])[0]
            password = (form.get("password") or [""])[0]
            grant = (form.get("grant_type") or ["password"])[0]
            if grant != "password" or not username:
                raise ApiError(
                    400,
                    "invalid_grant",
                    "Podaj grant_type=password, username i password (formularz).",
                    "Give grant_type=password, username and password (form-encoded).",
                )
            return Token(access_token=issuer.login(username, password), expires_in=settings.auth.token_ttl_s)

    # -- tasks -------------------------------------------------------------------------------

    @router.get("/units/{unit_id}/tasks", response_model=TaskList, tags=["tasks"], summary="A unit's task list")
    async def unit_tasks(
        unit_id: UnitId,
        principal: PrincipalDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        subtree: Annotated[bool, Query(description="Include the units below")] = False,
        status: TaskStatus | None = None,
    ) -> TaskList:
        await notifier.require_unit(principal, unit_id)
        docs = await run_db(notifier.tasks.list_for_unit, unit_id, subtree=subtree, status=status, limit=limit)
        total = await run_db(notifier.tasks.count_for_unit, unit_id, subtree=subtree, status=status)
        return TaskList(unit_id=unit_id, total=total, tasks=[_view(d) for d in docs])

    @router.get("/tasks/{task_id}", response_model=TaskDetail, tags=["tasks"], summary="A task with its history")
    async def get_task(task_id: TaskId, principal: PrincipalDep) -> TaskDetail:
        return _view(await notifier.task_for(principal, task_id), TaskDetail)

    @router.post("/tasks/{task_id}/status", response_model=TaskDetail, tags=["tasks"], summary="Change the status")
    async def post_status(task_id: TaskId, body: StatusChange, principal: PrincipalDep) -> TaskDetail:
        doc = await notifier.change_status(principal, task_id, target=body.status, note=body.note)
        return _view(doc, TaskDetail)

    @router.post("/tasks/{task_id}/assignment", response_model=TaskDetail, tags=["tasks"], summary="Assign an officer")
    async def post_assignment(task_id: TaskId, body: Assignment, principal: PrincipalDep) -> TaskDetail:
        return _view(await notifier.assign(principal, task_id, officer_id=body.officer_id), TaskDetail)

    @router.put("/units/{unit_id}/beats/{officer_id}", status_code=204, tags=["tasks"], summary="Set a beat")
    async def put_beat(
        unit_id: UnitId, officer_id: Annotated[str, Path(max_length=100)], body: BeatIn, principal: PrincipalDep
    ) -> None:
        require_role(principal, Role.COORDINATOR)
        await notifier.require_unit(principal, unit_id)
        bad = [c for c in body.cells if not h3.is_valid_cell(c) or not 7 <= h3.get_resolution(c) <= 9]
        if bad:
            raise ApiError(
                422,
                "invalid_cells",
                "Rejon musi składać się z komórek H3 o rozdzielczości 7–9.",
                "A beat is made of H3 cells of resolution 7 to 9.",
                details=[{"cell": c} for c in bad[:20]],
            )
        await run_db(notifier.beats.put, officer_id, unit_id=unit_id, cells=body.cells)

    @router.get("/units/{unit_id}/digest", tags=["tasks"], summary="A unit's daily digest")
    async def digest(
        unit_id: UnitId, principal: PrincipalDep, day: Annotated[date | None, Query(alias="date")] = None
    ) -> dict[str, Any]:
        await notifier.require_unit(principal, unit_id)
        return await notifier.digest(unit_id, day=day or notifier.clock().date())

    # -- feeds ---------------------------------------------------------------------------------

    def _resume_from(last_event_id: str | None, after: int | None) -> int:
        raw = last_event_id if last_event_id is not None else after
        if raw is None:
            return 0
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise ApiError(422, "invalid_last_event_id", "Nieprawidłowy Last-Event-ID.", "Invalid Last-Event-ID.")
        return value

    def _sse(request: Request, feed: str, after: int) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            last = after
            quiet = 0.0
            yield "retry: 1000\n\n"
            while not await request.is_disconnected():
                items = await run_db(notifier.feeds.read, feed, after=last, limit=100)
                for item in items:
                    last = item["seq"]
                    payload = json.dumps(item["data"], ensure_ascii=False, default=str)
                    yield f"id: {last}\nevent: {item['type']}\ndata: {payload}\n\n"
                if items:
                    quiet = 0.0
                    continue
                await asyncio.sleep(settings.feed_poll_interval_s)
                quiet += settings.feed_poll_interval_s
                if quiet >= settings.feed_keepalive_s:
                    quiet = 0.0
                    yield ": keepalive\n\n"

        headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    LastEventId = Annotated[str | None, Header(alias="Last-Event-ID")]
    After = Annotated[int | None, Query(ge=0, description="Resume after this item (when no Last-Event-ID)")]

    @router.get("/units/{unit_id}/feed", tags=["feeds"], summary="A unit's live feed (Server-Sent Events)")
    async def unit_feed_sse(
        request: Request,
        unit_id: UnitId,
        principal: PrincipalDep,
        last_event_id: LastEventId = None,
        after: After = None,
    ) -> StreamingResponse:
        await notifier.require_unit(principal, unit_id)
        return _sse(request, unit_feed(unit_id), _resume_from(last_event_id, after))

    @router.get("/me/feed", tags=["feeds"], summary="The officer's own live feed (Server-Sent Events)")
    async def my_feed_sse(
        request: Request, principal: PrincipalDep, last_event_id: LastEventId = None, after: After = None
    ) -> StreamingResponse:
        return _sse(request, officer_feed(principal.subject), _resume_from(last_event_id, after))

    @router.get("/units/{unit_id}/feed/items", tags=["feeds"], summary="A unit's feed items after a sequence (JSON)")
    async def unit_feed_items(
        unit_id: UnitId,
        principal: PrincipalDep,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        await notifier.require_unit(principal, unit_id)
        items = await run_db(notifier.feeds.read, unit_feed(unit_id), after=after, limit=limit)
        return {
            "unit_id": unit_id,
            "items": [{k: i[k] for k in ("seq", "type", "event_id", "data", "at")} for i in items],
        }

    # -- webhooks ------------------------------------------------------------------------------

    @router.post("/units/{unit_id}/webhooks", status_code=201, tags=["webhooks"], summary="Register a webhook")
    async def add_webhook(unit_id: UnitId, body: WebhookIn, principal: PrincipalDep) -> dict[str, Any]:
        require_role(principal, Role.COORDINATOR)
        await notifier.require_unit(principal, unit_id)
        doc = await run_db(
            notifier.webhooks.add_recipient,
            unit_id=unit_id,
            url=str(body.url),
            created_by=principal.subject,
            at=notifier.clock(),
        )
        return {"recipient_id": doc["_id"], "unit_id": unit_id, "url": doc["url"], "created_at": doc["created_at"]}

    @router.get("/webhooks/{recipient_id}/deliveries", tags=["webhooks"], summary="A recipient's delivery states")
    async def deliveries(
        recipient_id: Annotated[str, Path(max_length=64)],
        principal: PrincipalDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        recipient = await run_db(notifier.webhooks.recipient, recipient_id)
        if recipient is None:
            raise ApiError(404, "recipient_not_found", "Nie znaleziono odbiorcy.", "Recipient not found.")
        await notifier.require_unit(principal, recipient["unit_id"])
        rows = await run_db(notifier.webhooks.deliveries, recipient_id, limit=limit)
        keys = ("event_id", "state", "attempts", "next_attempt_at", "last_error", "delivered_at", "created_at")
        return {"recipient_id": recipient_id, "deliveries": [{k: r.get(k) for k in keys} for r in rows]}

    # -- public map ----------------------------------------------------------------------------

    @router.get("/public/threats", tags=["public"], summary="Threats on the public map (no reporter data)")
    async def public_threats(
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
        category: Annotated[str | None, Query(max_length=64)] = None,
        status: TaskStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    ) -> dict[str, Any]:
        threats = await notifier.public_threats(bbox=_bbox(bbox), category=category, status=status, limit=limit)
        return {"generated_at": notifier.clock(), "threats": threats}

    return router
