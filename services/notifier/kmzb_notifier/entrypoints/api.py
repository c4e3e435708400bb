"""Officer-facing HTTP API: dev login, tasks and their workflow, feeds, webhooks, digest, public map."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import AnyHttpUrl, BaseModel, Field

from kmzb_common.auth import Principal, TokenIssuer, TokenVerifier, principal_dependency
from kmzb_common.http import ApiError
from kmzb_contracts import STATUS_LABELS_PL, TaskStatus

from ..adapters.atom import threats_atom
from ..adapters.feed_store import officer_feed, unit_feed
from ..domain.feed_area import feed_area
from ..domain.model import Task
from ..workflow import Notifier
from .errors import NotifierErrorsRoute

__all__ = ["build_router", "etag", "version_of", "PrincipalOf", "TaskDetail", "TaskId", "UnitId", "JWKS_SETTING"]

UnitId = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$", description="Unit id, e.g. KMP-1261")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="Task id")]
PrincipalOf = Callable[..., Principal]
JWKS_SETTING = "KMZB_NOTIFIER_AUTH__JWKS"
ATOM = "application/atom+xml; charset=utf-8"


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
    version: int = Field(default=0, description="+1 on every change; send it back with a status change")
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


class MyBeat(BaseModel):
    """The cells a community officer (dzielnicowy) covers."""

    officer_id: str
    unit_id: str
    cells: list[str] = Field(description="H3 cells of resolution 7 to 9")


class StatusChange(BaseModel):
    """A requested status change."""

    status: TaskStatus
    # The workflow refuses notes over 2,000 characters with a reason; this only bounds the request.
    note: str | None = Field(default=None, max_length=20_000)
    version: int | None = Field(
        default=None, ge=0, description="The task's version the change was made on (or If-Match); 409 when stale"
    )
    partner_id: str | None = Field(
        default=None,
        max_length=100,
        description="With Potwierdzone (przekazane poza Policję): the partner, from GET /units/{unit}/partners",
    )


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


def _view(task: Task, model: type[TaskView] = TaskView) -> Any:
    return model(**task.to_doc(), status_label_pl=STATUS_LABELS_PL[task.status])


def etag(version: int) -> str:
    """The task's version as an entity tag."""
    return f'"{version}"'


def version_of(if_match: str | None) -> int | None:
    """The version an If-Match header names ("3" or W/"3"); 422 for anything else."""
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise ApiError(
            422,
            "invalid_if_match",
            'Nieprawidłowy nagłówek If-Match: podaj wersję zadania, np. "3".',
            'Invalid If-Match header: give the task\'s version, e.g. "3".',
        )
    return int(raw)


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
    router = APIRouter(prefix="/api/v1", route_class=NotifierErrorsRoute)
    settings = notifier.views.settings
    commands, views = notifier.commands, notifier.views
    PrincipalDep = Annotated[Principal, Depends(principal_dependency(verifier, jwks_setting=JWKS_SETTING))]

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
        beat: Annotated[
            Literal["mine"] | None, Query(description="`mine`: only the tasks in the caller's beat (404 without one)")
        ] = None,
    ) -> TaskList:
        total, tasks = await views.unit_tasks(
            principal, unit_id, subtree=subtree, status=status, limit=limit, my_beat=beat == "mine"
        )
        return TaskList(unit_id=unit_id, total=total, tasks=[_view(t) for t in tasks])

    @router.get("/me/beat", response_model=MyBeat, tags=["tasks"], summary="The officer's own beat (rewir)")
    async def my_beat(principal: PrincipalDep) -> MyBeat:
        unit, cells = await views.my_beat(principal)
        return MyBeat(officer_id=principal.subject, unit_id=unit, cells=cells)

    @router.get("/tasks/{task_id}", response_model=TaskDetail, tags=["tasks"], summary="A task with its history")
    async def get_task(task_id: TaskId, principal: PrincipalDep, response: Response) -> TaskDetail:
        task = await views.task(principal, task_id)
        response.headers["ETag"] = etag(task.version)
        return _view(task, TaskDetail)

    @router.post(
        "/tasks/{task_id}/status",
        response_model=TaskDetail,
        tags=["tasks"],
        summary="Change the status",
        responses={
            409: {"description": "A move the workflow forbids, or a stale version"},
            423: {"description": "Another officer edits the task"},
        },
    )
    async def post_status(
        task_id: TaskId,
        body: StatusChange,
        principal: PrincipalDep,
        response: Response,
        if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
    ) -> TaskDetail:
        version = body.version if body.version is not None else version_of(if_match)
        task = await commands.change_status(
            principal, task_id, target=body.status, note=body.note, version=version, partner_id=body.partner_id
        )
        response.headers["ETag"] = etag(task.version)
        return _view(task, TaskDetail)

    @router.post("/tasks/{task_id}/assignment", response_model=TaskDetail, tags=["tasks"], summary="Assign an officer")
    async def post_assignment(task_id: TaskId, body: Assignment, principal: PrincipalDep) -> TaskDetail:
        return _view(await commands.assign(principal, task_id, officer_id=body.officer_id), TaskDetail)

    @router.put("/units/{unit_id}/beats/{officer_id}", status_code=204, tags=["tasks"], summary="Set a beat")
    async def put_beat(
        unit_id: UnitId, officer_id: Annotated[str, Path(max_length=100)], body: BeatIn, principal: PrincipalDep
    ) -> None:
        await commands.set_beat(principal, unit_id, officer_id, cells=body.cells)

    @router.get("/units/{unit_id}/digest", tags=["tasks"], summary="A unit's daily digest")
    async def digest(
        unit_id: UnitId, principal: PrincipalDep, day: Annotated[date | None, Query(alias="date")] = None
    ) -> dict[str, Any]:
        return await views.digest(principal, unit_id, day=day)

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
                items = await views.feed_items(feed, after=last, limit=100)
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
        await views.access.require_unit(principal, unit_id)
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
        items = await views.unit_feed_items(principal, unit_id, after=after, limit=limit)
        return {"unit_id": unit_id, "items": items}

    # -- webhooks ------------------------------------------------------------------------------

    @router.post("/units/{unit_id}/webhooks", status_code=201, tags=["webhooks"], summary="Register a webhook")
    async def add_webhook(unit_id: UnitId, body: WebhookIn, principal: PrincipalDep) -> dict[str, Any]:
        return await commands.add_webhook(principal, unit_id, url=str(body.url))

    @router.get("/webhooks/{recipient_id}/deliveries", tags=["webhooks"], summary="A recipient's delivery states")
    async def deliveries(
        recipient_id: Annotated[str, Path(max_length=64)],
        principal: PrincipalDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        rows = await views.deliveries(principal, recipient_id, limit=limit)
        return {"recipient_id": recipient_id, "deliveries": rows}

    # -- public map ----------------------------------------------------------------------------

    @router.get("/public/threats", tags=["public"], summary="Threats on the public map (no reporter data)")
    async def public_threats(
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
        category: Annotated[str | None, Query(max_length=64)] = None,
        status: TaskStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    ) -> dict[str, Any]:
        threats = await views.public_threats(
            bbox=_bbox(bbox), categories=(category,) if category else (), status=status, limit=limit
        )
        return {"generated_at": notifier.clock(), "threats": threats}

    @router.get(
        "/public/threats.atom",
        tags=["public"],
        summary="Atom alert feed of the public threats of an area (a bbox or a police unit's land)",
        response_class=Response,
        responses={
            200: {"content": {ATOM: {}}},
            422: {"description": "No area, an area larger than a voivodeship, a malformed bbox or an unknown category"},
        },
    )
    async def public_threats_atom(
        bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat, at most a voivodeship")] = None,
        unit: Annotated[str | None, Query(max_length=32, description="A unit id: its land and subunits")] = None,
        category: Annotated[list[str] | None, Query(description="Category codes (repeatable); all if none")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 200,
    ) -> Response:
        area = feed_area(bbox=bbox, unit=unit)
        categories = sorted(set(category or ()))
        threats = await views.threats_feed(area, categories=categories, limit=limit)
        names = [views.catalogue.get(c).name_pl for c in categories]  # type: ignore[union-attr]
        asked = [(k, v) for k, v in (("bbox", bbox), ("unit", unit)) if v is not None]
        query = urlencode(asked + [("category", c) for c in categories])
        site = settings.public_site_url.rstrip("/")
        body = threats_atom(
            threats,
            title=f"KMZB: zagrożenia, {area.label_pl}" + (f" ({', '.join(names)})" if names else ""),
            # The pages reach the notifier through the intake's same-origin proxy (/svc/notifier).
            self_url=f"{site}/svc/notifier/api/v1/public/threats.atom?{query}",
            site_url=site,
            generated_at=notifier.clock(),
        )
        return Response(body, media_type=ATOM, headers={"Cache-Control": "public, max-age=60"})

    return router
