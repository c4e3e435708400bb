"""What runs on timers: escalate missed deadlines, resend what the broker did not take, deliver webhooks."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from kmzb_common.mongo import run_db
from kmzb_contracts import DeadlineKind, TaskEscalated, derived_event_id

from ..adapters.feed_store import unit_feed
from ..adapters.task_store import TaskStore
from ..adapters.webhooks import WebhookSender, WebhookStore
from ..domain.deadlines import pending_statuses
from ..domain.delivery import retry_delay
from ..domain.tasks import parent_unit
from ..settings import WebhookSettings
from .emitter import Clock, Emitter

__all__ = ["Timers"]

log = logging.getLogger(__name__)


class Timers:
    """One round of each timer; each returns how much it did."""

    def __init__(
        self,
        *,
        tasks: TaskStore,
        webhooks: WebhookStore,
        sender: WebhookSender,
        emitter: Emitter,
        settings: WebhookSettings,
        clock: Clock,
    ) -> None:
        self.tasks = tasks
        self.webhooks = webhooks
        self.sender = sender
        self.emitter = emitter
        self.settings = settings
        self.clock = clock

    async def escalate_overdue(self) -> int:
        """Escalate every task past a deadline to its parent unit; how many escalations."""
        now = self.clock()
        done = 0
        for kind in DeadlineKind:
            for task in await run_db(self.tasks.overdue, kind, pending=pending_statuses(kind), now=now):
                parent = parent_unit(task.unit_chain)
                due_at = task.due_at(kind)
                assert due_at is not None  # the store selected it by its due date
                event = TaskEscalated(
                    event_id=derived_event_id("TaskEscalated", f"{task.task_id}:{kind}"),
                    task_id=uuid.UUID(task.task_id),
                    unit_id=task.unit_id,
                    escalated_to=parent,
                    deadline=kind,
                    due_at=due_at,
                    escalated_at=now,
                )
                # Emitted before it is marked: a crash in between emits the same event id again.
                await self.emitter.emit(event, task, extra_feeds=[unit_feed(parent)])
                if await run_db(self.tasks.mark_escalated, task.task_id, kind, to_unit=parent, at=now):
                    done += 1
        return done

    async def relay_outbox(self, *, older_than: timedelta) -> int:
        """Resend events the broker has not acknowledged; how many went out."""
        outbox, publisher = self.emitter.outbox, self.emitter.publisher
        sent = 0
        for kept in await run_db(outbox.unpublished, created_before=self.clock() - older_than):
            try:
                await publisher.publish(key=kept["key"].encode(), value=kept["value"].encode())
            except Exception as exc:  # noqa: BLE001 - the next round retries
                log.warning("outbox relay failed", extra={"error": str(exc)[:300]})
                break
            await run_db(outbox.mark_published, kept["_id"])
            sent += 1
        return sent

    async def deliver_webhooks(self) -> int:
        """Attempt every due webhook delivery once; how many succeeded."""
        cfg = self.settings
        ok = 0
        for delivery in await run_db(self.webhooks.due, now=self.clock()):
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
