"""The one place that emits: outbox first, then the feeds of the task's chain, its webhooks, the broker.

Each step is idempotent by event id, so a redelivered input or a retried step repeats nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from kmzb_common.clock import Clock
from kmzb_common.mongo import run_db
from kmzb_contracts import Event, encode

from ..adapters.feed_store import FeedStore, officer_feed, unit_feed
from ..adapters.outbox import Outbox
from ..adapters.webhooks import WebhookStore
from ..domain.model import Task

__all__ = ["Clock", "Publisher", "LatePublisher", "Emitter"]

log = logging.getLogger(__name__)


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


class Emitter:
    """Writes every event to the outbox, the feeds and the webhook queue, then publishes it."""

    def __init__(
        self, *, outbox: Outbox, feeds: FeedStore, webhooks: WebhookStore, publisher: Publisher, clock: Clock
    ) -> None:
        self.outbox = outbox
        self.feeds = feeds
        self.webhooks = webhooks
        self.publisher = publisher
        self.clock = clock

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

    async def emit(self, event: Event, task: Task, *, extra_feeds: list[str] | None = None) -> None:
        """Keep ``event`` in the outbox, hand it to the task's feeds and webhooks, and publish it."""
        key = event.key()  # type: ignore[attr-defined]
        await run_db(self.outbox.add, event, key=key, at=self.clock())
        data = event.model_dump(mode="json")
        await self.distribute(str(event.event_id), data["event_type"], data, task, extra_feeds=extra_feeds)
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

    async def distribute(
        self,
        event_id: str,
        item_type: str,
        data: dict[str, Any],
        task: Task,
        *,
        extra_feeds: list[str] | None = None,
    ) -> None:
        """Append an item to the feeds of the task's chain (and officer) and queue it for their webhooks."""
        chain = list(task.unit_chain)
        feeds = [unit_feed(u) for u in chain] + list(extra_feeds or [])
        if task.assignee:
            feeds.append(officer_feed(task.assignee))
        if item_type == "TaskAssigned":
            feeds.append(officer_feed(data["officer_id"]))
        now = self.clock()
        await run_db(self.feeds.append, feeds, event_id=event_id, item_type=item_type, data=data, at=now)
        body = json.dumps({"event_id": event_id, "type": item_type, "data": data}, ensure_ascii=False)
        for recipient in await run_db(self.webhooks.recipients_for, chain):
            await run_db(self.webhooks.enqueue, recipient["_id"], event_id=event_id, body=body, at=now)
