"""The notifier's use cases: open or merge tasks, change status, assign, escalate, deliver.

Every change is written to the store first, then emitted: kept in the outbox, appended to the
feeds of the task's chain (and its officer), queued for the unit's webhooks, and published.
Each step is idempotent by event id, so a redelivered input or a retried step repeats nothing.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from kmzb_common.auth import Principal, Role
from kmzb_common.http import ApiError
from kmzb_common.mongo import run_db
from kmzb_contracts import (
    STATUS_LABELS_PL,
    Catalogue,
    DeadlineKind,
    Event,
    ReportRouted,
    TaskAssigned,
    TaskEscalated,
    TaskStatus,
    ThreatConfirmed,
    decode_task_event,
    derived_event_id,
    encode,
)
from kmzb_contracts.statuses import PUBLIC_HIDDEN_STATUSES

from .adapters.feed_store import FeedStore, officer_feed, unit_feed
from .adapters.outbox import Outbox
from .adapters.task_store import BeatStore, TaskStore
from .adapters.webhooks import WebhookSender, WebhookStore
from .domain.deadlines import DeadlinePolicy, due_dates, pending_statuses, policy_for
from .domain.delivery import retry_delay
from .domain.digest import daily_digest
from .domain.public import public_threat
from .domain.task_view import InvalidNote, check_status_note
from .domain.tasks import InvalidTransition, change_status, merge_cells, merge_report, open_task, parent_unit
from .settings import NotifierSettings

__all__ = ["Clock", "Publisher", "LatePublisher", "Notifier", "require_role"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Publisher(Protocol):
    """Sends events to the tasks topic."""

    async def publish(self, *, key: bytes, value: bytes) -> None:
        """Send one event and return once the broker acknowledged it."""

    async def enqueue(self, *, key: bytes, value: bytes) -> Awaitable[object]:
        """Hand one event to the producer (in call order) and return what resolves on its acknowledgement."""


class LatePublisher:
    """A publisher bound to the stream worker's topic once the worker is declared."""

    def __init__(self) -> None:
        self._enqueue: Callable[[bytes, bytes], Awaitable[Awaitable[object]]] | None = None

    def bind(self, enqueue: Callable[[bytes, bytes], Awaitable[Awaitable[object]]]) -> None:
        """Use ``enqueue(key, value)`` from now on: it sends and returns the acknowledgement's awaitable."""
        self._enqueue = enqueue

    async def enqueue(self, *, key: bytes, value: bytes) -> Awaitable[object]:
        """Send without waiting; raise when no worker is bound yet (the outbox relay resends later)."""
        if self._enqueue is None:
            raise RuntimeError("no stream worker bound yet")
        return await self._enqueue(key, value)

    async def publish(self, *, key: bytes, value: bytes) -> None:
        """Send and wait for the acknowledgement."""
        await (await self.enqueue(key=key, value=value))


_BATCH: ContextVar[list[tuple[str, Awaitable[object]]] | None] = ContextVar("kmzb_notifier_batch", default=None)


def _forbidden() -> ApiError:
    return ApiError(
        403, "forbidden", "Brak uprawnień do zadań tej jednostki.", "You have no access to this unit's tasks."
    )


def require_role(principal: Principal, *roles: Role) -> None:
    """403 unless the principal has one of ``roles`` (admins have all)."""
    if not principal.has_role(*roles):
        raise ApiError(
            403, "role_forbidden", "Twoja rola nie pozwala na tę czynność.", "Your role does not allow this."
        )


def _not_found() -> ApiError:
    return ApiError(404, "task_not_found", "Nie znaleziono zadania.", "Task not found.")


class Notifier:
    """The use cases over the stores; the only place that emits events."""

    def __init__(
        self,
        *,
        tasks: TaskStore,
        beats: BeatStore,
        feeds: FeedStore,
        outbox: Outbox,
        webhooks: WebhookStore,
        publisher: Publisher,
        sender: WebhookSender,
        catalogue: Catalogue,
        settings: NotifierSettings,
        clock: Clock,
    ) -> None:
        self.tasks = tasks
        self.beats = beats
        self.feeds = feeds
        self.outbox = outbox
        self.webhooks = webhooks
        self.publisher = publisher
        self.sender = sender
        self.catalogue = catalogue
        self.settings = settings
        self.clock = clock
        d = settings.deadlines
        self._default_policy = DeadlinePolicy(timedelta(seconds=d.review_s), timedelta(seconds=d.verification_s))
        self._unit_policies = {
            unit: DeadlinePolicy(timedelta(seconds=o.review_s), timedelta(seconds=o.verification_s))
            for unit, o in d.per_unit.items()
        }

    # -- reports and confirmations from the broker -------------------------------------------

    async def handle_routed(self, routed: ReportRouted) -> str:
        """Open a task for the report, or merge it into the open task of the same threat."""
        now = self.clock()
        report_id = str(routed.report.report_id)
        created = open_task(routed, now=now)
        existing = await run_db(self.tasks.task_of_report, report_id)
        if existing is not None:
            # Redelivery: emit again what the first delivery emitted (same ids), in case it crashed
            # before or while emitting; rebuilt from the task when the outbox never got it.
            first = existing["task_id"] == str(created.task_id)
            event_id = str(created.event_id if first else derived_event_id("ReportMerged", report_id))
            kept = await run_db(self.outbox.get, event_id)
            if kept is not None:
                again: Event = decode_task_event(kept["value"])
            elif first:
                again = open_task(routed, now=existing["created_at"])
            else:
                again = merge_report(
                    routed,
                    task_id=uuid.UUID(existing["task_id"]),
                    unit_id=existing["unit_id"],
                    report_count=int(existing["report_count"]),
                    now=now,
                )
            await self._emit(again, existing)
            return "redelivered"

        match = await run_db(
            self.tasks.open_match, unit_id=created.unit_id, category=created.category, cells=merge_cells(created.cell)
        )
        if match is not None:
            merged = await run_db(
                self.tasks.merge, match["task_id"], report_id=report_id, evidence=_evidence(routed), at=now
            )
            task = merged or match
            event = merge_report(
                routed,
                task_id=uuid.UUID(task["task_id"]),
                unit_id=task["unit_id"],
                report_count=int(task["report_count"]),
                now=now,
            )
            await self._emit(event, task)
            return "merged"

        policy = policy_for(created.unit_chain, default=self._default_policy, per_unit=self._unit_policies)
        due = due_dates(created.created_at, policy)
        doc: dict[str, Any] = {
            "task_id": str(created.task_id),
            "report_id": report_id,
            "report_ids": [report_id],
            "report_count": 1,
            "evidence": [_evidence(routed)],
            "merged_at": [],
            "confirmation_count": 0,
            "unit_id": created.unit_id,
            "unit_chain": list(created.unit_chain),
            "category": created.category,
            "lat": created.lat,
            "lon": created.lon,
            "cell": created.cell,
            "status": created.status.value,
            "status_changed_at": now,
            "created_at": now,
            "assignee": None,
            "assignments": [],
            "history": [],
            "escalations": [],
        }
        for kind, at in due.items():
            doc[f"{kind}_due_at"] = at
            doc[f"{kind}_escalated_at"] = None
        await run_db(self.tasks.insert, doc)
        await run_db(self.tasks.recount_confirmations, doc["task_id"])
        await self._emit(created, doc)
        officer = await run_db(self.beats.officer_for, created.unit_id, created.cell)
        if officer is not None:
            event = TaskAssigned(
                event_id=derived_event_id("TaskAssigned", f"{created.task_id}:beat"),
                task_id=created.task_id,
                unit_id=created.unit_id,
                officer_id=officer,
                assigned_by="beat",
                assigned_at=now,
            )
            await self._assign(doc["task_id"], event, by_name="rejon służbowy")
        return "opened"

    async def handle_confirmation(self, confirmed: ThreatConfirmed) -> bool:
        """Count a resident's "+1" once per device; True when it was new."""
        task_id = str(confirmed.task_id)
        new, count = await run_db(
            self.tasks.confirm, task_id, device_key_hash=confirmed.device_key_hash, at=confirmed.confirmed_at
        )
        task = await run_db(self.tasks.get, task_id)
        if task is None:
            log.warning("confirmation of an unknown task kept", extra={"task_id": task_id})
            return new
        data = {
            "event_type": "ThreatConfirmed",
            "task_id": task_id,
            "unit_id": task["unit_id"],
            "confirmation_count": count,
            "confirmed_at": confirmed.confirmed_at.isoformat(),
        }
        # Already on the broker: only the feeds and webhooks learn of it here.
        await self._distribute(str(confirmed.event_id), "ThreatConfirmed", data, task)
        return new

    # -- officers' actions ---------------------------------------------------------------------

    async def task_for(self, principal: Principal, task_id: str) -> dict[str, Any]:
        """A task the principal may see; 404 or 403 otherwise."""
        task = await run_db(self.tasks.get, task_id)
        if task is None:
            raise _not_found()
        if not principal.covers(task["unit_chain"]):
            raise _forbidden()
        return task

    async def require_unit(self, principal: Principal, unit_id: str) -> list[str]:
        """The unit's chain when the principal covers the unit; 403 otherwise."""
        chain = await run_db(self.tasks.chain_of, unit_id)
        if not principal.covers(chain):
            raise _forbidden()
        return chain

    async def change_status(
        self, principal: Principal, task_id: str, *, target: TaskStatus, note: str | None
    ) -> dict[str, Any]:
        """Move a task along the workflow; 409 for a move the workflow does not allow."""
        require_role(principal, Role.OFFICER, Role.COORDINATOR)
        task = await self.task_for(principal, task_id)
        now = self.clock()
        current = TaskStatus(task["status"])
        # The move is judged before the note: a forbidden move is a 409 whatever the note says.
        refused: InvalidNote | None = None
        try:
            note = check_status_note(target, note)
        except InvalidNote as exc:
            note, refused = None, exc
        try:
            event = change_status(
                task_id=uuid.UUID(task_id),
                unit_id=task["unit_id"],
                current=current,
                target=target,
                officer_id=principal.subject,
                note=note,
                now=now,
            )
        except InvalidTransition:
            raise _conflict(current, target) from None
        if refused is not None:
            raise ApiError(
                422,
                refused.code,
                refused.message_pl,
                refused.message_en,
                details=[{"field": "note", "reason": refused.code}],
            )
        entry = {
            "event_id": str(event.event_id),
            "from": current.value,
            "to": target.value,
            "by": principal.subject,
            "by_name": principal.name,
            "at": now,
            "note": note,
        }
        updated = await run_db(self.tasks.set_status, task_id, current=current, target=target, entry=entry, at=now)
        if updated is None:
            raise ApiError(
                409,
                "status_changed_meanwhile",
                "Status zadania zmienił się w międzyczasie. Odśwież i spróbuj ponownie.",
                "The task's status changed meanwhile. Reload and try again.",
            )
        await self._emit(event, updated)
        return updated

    async def assign(self, principal: Principal, task_id: str, *, officer_id: str) -> dict[str, Any]:
        """A coordinator gives the task to an officer; an officer may take it themself."""
        if officer_id == principal.subject:
            require_role(principal, Role.OFFICER, Role.COORDINATOR)
        else:
            require_role(principal, Role.COORDINATOR)
        task = await self.task_for(principal, task_id)
        event = TaskAssigned(
            event_id=uuid.uuid4(),
            task_id=uuid.UUID(task_id),
            unit_id=task["unit_id"],
            officer_id=officer_id,
            assigned_by=principal.subject,
            assigned_at=self.clock(),
        )
        return await self._assign(task_id, event, by_name=principal.name)

    async def _assign(self, task_id: str, event: TaskAssigned, *, by_name: str) -> dict[str, Any]:
        entry = {
            "event_id": str(event.event_id),
            "officer_id": event.officer_id,
            "by": event.assigned_by,
            "by_name": by_name,
            "at": event.assigned_at,
        }
        updated = await run_db(self.tasks.assign, task_id, officer_id=event.officer_id, entry=entry)
        if updated is None:
            raise _not_found()
        await self._emit(event, updated)
        return updated

    # -- timers --------------------------------------------------------------------------------

    async def escalate_overdue(self) -> int:
        """Escalate every task past a deadline to its parent unit; how many escalations."""
        now = self.clock()
        done = 0
        for kind in DeadlineKind:
            pending = pending_statuses(kind)
            for task in await run_db(self.tasks.overdue, kind, pending=pending, now=now):
                parent = parent_unit(task["unit_chain"])
                event = TaskEscalated(
                    event_id=derived_event_id("TaskEscalated", f"{task['task_id']}:{kind}"),
                    task_id=uuid.UUID(task["task_id"]),
                    unit_id=task["unit_id"],
                    escalated_to=parent,
                    deadline=kind,
                    due_at=task[f"{kind}_due_at"],
                    escalated_at=now,
                )
                # Emitted before it is marked: a crash in between emits the same event id again.
                await self._emit(event, task, extra_feeds=[unit_feed(parent)])
                if await run_db(self.tasks.mark_escalated, task["task_id"], kind, to_unit=parent, at=now):
                    done += 1
        return done

    async def relay_outbox(self, *, older_than: timedelta) -> int:
        """Resend events the broker has not acknowledged; how many went out."""
        now = self.clock()
        sent = 0
        for kept in await run_db(self.outbox.unpublished, created_before=now - older_than):
            try:
                await self.publisher.publish(key=kept["key"].encode(), value=kept["value"].encode())
            except Exception as exc:  # noqa: BLE001 - the next round retries
                log.warning("outbox relay failed", extra={"error": str(exc)[:300]})
                break
            await run_db(self.outbox.mark_published, kept["_id"])
            sent += 1
        return sent

    async def deliver_webhooks(self) -> int:
        """Attempt every due webhook delivery once; how many succeeded."""
        cfg = self.settings.webhooks
        now = self.clock()
        ok = 0
        for delivery in await run_db(self.webhooks.due, now=now):
            recipient = await run_db(self.webhooks.recipient, delivery["recipient_id"])
            if recipient is None:
                await run_db(self.webhooks.failed, delivery["_id"], error="recipient removed", retry_at=None)
                continue
            try:
                await self.sender.send(recipient["url"], body=delivery["body"], event_id=delivery["event_id"])
            except Exception as exc:  # noqa: BLE001 - any failure is retried with backoff
                attempts = int(delivery["attempts"]) + 1
                retry_at = None
                if attempts < cfg.max_attempts:
                    retry_at = self.clock() + retry_delay(attempts, base_s=cfg.base_delay_s, max_s=cfg.max_delay_s)
                await run_db(
                    self.webhooks.failed, delivery["_id"], error=str(exc) or type(exc).__name__, retry_at=retry_at
                )
                continue
            await run_db(self.webhooks.succeeded, delivery["_id"], at=self.clock())
            ok += 1
        return ok

    # -- read models ---------------------------------------------------------------------------

    async def public_threats(
        self,
        *,
        bbox: tuple[float, float, float, float] | None,
        category: str | None,
        status: TaskStatus | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Threats on the public map: never reporter data, privacy categories snapped."""
        now = self.clock()
        docs = await run_db(
            self.tasks.public_candidates,
            hidden=PUBLIC_HIDDEN_STATUSES,
            bbox=bbox,
            category=category,
            status=status,
            limit=limit,
        )
        fade = timedelta(seconds=self.settings.public_fade_after_s)
        out = []
        for doc in docs:
            view = public_threat(
                doc,
                category=self.catalogue.get(doc["category"]),
                privacy_resolution=self.settings.public_privacy_resolution,
                now=now,
                fade_after=fade,
            )
            if view is not None:
                out.append(view)
        return out

    async def digest(self, unit_id: str, *, day: date) -> dict[str, Any]:
        """The unit's (and its subtree's) digest of ``day``."""
        start = datetime.combine(day, time.min, tzinfo=UTC)
        docs = await run_db(self.tasks.touching_day, unit_id, start=start)
        return daily_digest(docs, unit_id=unit_id, day=day, now=self.clock())

    # -- emitting ------------------------------------------------------------------------------

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        """Within it (in this task only), events are sent in order without waiting for each acknowledgement.

        On leaving, every acknowledgement is awaited and the outbox marked: a stream batch costs
        one broker round trip instead of one per event. An event that failed stays in the outbox
        for the relay. Officers' requests, in their own tasks, still wait for their own event.
        """
        pending: list[tuple[str, Awaitable[object]]] = []
        token = _BATCH.set(pending)
        try:
            yield
        finally:
            _BATCH.reset(token)
        published = []
        for event_id, ack in pending:
            try:
                await ack
            except Exception as exc:  # noqa: BLE001 - kept in the outbox; the relay resends it
                log.warning("publish failed, left to the outbox relay", extra={"error": str(exc)[:300]})
            else:
                published.append(event_id)
        if published:
            await run_db(self.outbox.mark_many_published, published)

    async def _emit(self, event: Event, task: dict[str, Any], *, extra_feeds: list[str] | None = None) -> None:
        key = event.key()  # type: ignore[attr-defined]
        await run_db(self.outbox.add, event, key=key, at=self.clock())
        data = event.model_dump(mode="json")
        await self._distribute(str(event.event_id), data["event_type"], data, task, extra_feeds=extra_feeds)
        batch = _BATCH.get()
        try:
            if batch is not None:
                batch.append((str(event.event_id), await self.publisher.enqueue(key=key, value=encode(event))))
                return
            await self.publisher.publish(key=key, value=encode(event))
        except Exception as exc:  # noqa: BLE001 - kept in the outbox; the relay resends it
            log.warning("publish failed, left to the outbox relay", extra={"error": str(exc)[:300]})
            return
        await run_db(self.outbox.mark_published, str(event.event_id))

    async def _distribute(
        self,
        event_id: str,
        item_type: str,
        data: dict[str, Any],
        task: dict[str, Any],
        *,
        extra_feeds: list[str] | None = None,
    ) -> None:
        chain = list(task["unit_chain"])
        feeds = [unit_feed(u) for u in chain] + list(extra_feeds or [])
        if task.get("assignee"):
            feeds.append(officer_feed(task["assignee"]))
        if item_type == "TaskAssigned":
            feeds.append(officer_feed(data["officer_id"]))
        now = self.clock()
        await run_db(self.feeds.append, feeds, event_id=event_id, item_type=item_type, data=data, at=now)
        body = json.dumps({"event_id": event_id, "type": item_type, "data": data}, ensure_ascii=False)
        for recipient in await run_db(self.webhooks.recipients_for, chain):
            await run_db(self.webhooks.enqueue, recipient["_id"], event_id=event_id, body=body, at=now)


def _conflict(current: TaskStatus, target: TaskStatus) -> ApiError:
    return ApiError(
        409,
        "invalid_transition",
        f"Niedozwolona zmiana statusu: z „{STATUS_LABELS_PL[current]}” na „{STATUS_LABELS_PL[target]}”.",
        f"Status change not allowed: {current.value} -> {target.value}.",
        details=[{"from": current.value, "to": target.value}],
    )


def _evidence(routed: ReportRouted) -> dict[str, Any]:
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
