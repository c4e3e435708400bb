"""Read views: a unit's tasks, feed items and deliveries, the digest, and the public threats."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kmzb_common.auth import Principal
from kmzb_common.mongo import run_db
from kmzb_contracts import HIDDEN_STATUSES, Catalogue, TaskStatus

from ..adapters.feed_store import FeedStore, unit_feed
from ..adapters.task_store import BeatStore, TaskStore
from ..adapters.webhooks import WebhookStore
from ..domain.digest import daily_digest
from ..domain.errors import BeatNotFound, RecipientNotFound, UnknownCategories
from ..domain.feed_area import FeedArea
from ..domain.model import Task
from ..domain.public import public_threat
from ..domain.tasks import beat_task_cells
from ..settings import NotifierSettings
from .access import Access
from .emitter import Clock

__all__ = ["Views"]

_DELIVERY_FIELDS = ("event_id", "state", "attempts", "next_attempt_at", "last_error", "delivered_at", "created_at")
_FEED_ITEM_FIELDS = ("seq", "type", "event_id", "data", "at")


class Views:
    """What officers and the public read; scope is checked here, never in the routes."""

    def __init__(
        self,
        *,
        tasks: TaskStore,
        beats: BeatStore,
        feeds: FeedStore,
        webhooks: WebhookStore,
        access: Access,
        catalogue: Catalogue,
        settings: NotifierSettings,
        clock: Clock,
    ) -> None:
        self.tasks = tasks
        self.beats = beats
        self.feeds = feeds
        self.webhooks = webhooks
        self.access = access
        self.catalogue = catalogue
        self.settings = settings
        self.clock = clock

    async def task(self, principal: Principal, task_id: str) -> Task:
        """One task with its history, when the principal may see it."""
        return await self.access.task_for(principal, task_id)

    async def unit_tasks(
        self,
        principal: Principal,
        unit_id: str,
        *,
        subtree: bool,
        status: TaskStatus | None,
        limit: int,
        my_beat: bool = False,
    ) -> tuple[int, list[Task]]:
        """(all tasks of the unit, the newest ``limit`` of them); only those in the caller's beat when ``my_beat``."""
        await self.access.require_unit(principal, unit_id)
        cells = None
        if my_beat:
            cells = beat_task_cells((await self.my_beat(principal))[1])
        query = {"subtree": subtree, "status": status, "cells": cells}
        tasks = await run_db(self.tasks.list_for_unit, unit_id, limit=limit, **query)
        total = await run_db(self.tasks.count_for_unit, unit_id, **query)
        return total, tasks

    async def my_beat(self, principal: Principal) -> tuple[str, list[str]]:
        """The caller's beat (unit, cells); BeatNotFound when they have none."""
        beat = await run_db(self.beats.of, principal.subject)
        if beat is None:
            raise BeatNotFound()
        return beat

    async def feed_items(self, feed: str, *, after: int, limit: int) -> list[dict[str, Any]]:
        """A feed's items after the sequence ``after`` (the caller checked the scope)."""
        return await run_db(self.feeds.read, feed, after=after, limit=limit)

    async def unit_feed_items(self, principal: Principal, unit_id: str, *, after: int, limit: int) -> list[dict]:
        """A unit's feed items after ``after``, as JSON-ready dicts."""
        await self.access.require_unit(principal, unit_id)
        items = await self.feed_items(unit_feed(unit_id), after=after, limit=limit)
        return [{k: i[k] for k in _FEED_ITEM_FIELDS} for i in items]

    async def deliveries(self, principal: Principal, recipient_id: str, *, limit: int) -> list[dict[str, Any]]:
        """A webhook recipient's delivery states; RecipientNotFound or UnitForbidden otherwise."""
        recipient = await run_db(self.webhooks.recipient, recipient_id)
        if recipient is None or "unit_id" not in recipient:  # a partner's: its deliveries show on the task
            raise RecipientNotFound()
        await self.access.require_unit(principal, recipient["unit_id"])
        rows = await run_db(self.webhooks.deliveries, recipient_id, limit=limit)
        return [{k: r.get(k) for k in _DELIVERY_FIELDS} for r in rows]

    async def digest(self, principal: Principal, unit_id: str, *, day: date | None) -> dict[str, Any]:
        """The unit's (and its subtree's) digest of ``day`` (today by default)."""
        await self.access.require_unit(principal, unit_id)
        now = self.clock()
        day = day or now.date()
        start = datetime.combine(day, time.min, tzinfo=UTC)
        tasks = await run_db(self.tasks.touching_day, unit_id, start=start)
        return daily_digest(tasks, unit_id=unit_id, day=day, now=now)

    async def public_threats(
        self,
        *,
        bbox: tuple[float, float, float, float] | None,
        categories: Sequence[str] = (),
        status: TaskStatus | None = None,
        limit: int,
        unit_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Threats on the public map: never reporter data, privacy categories snapped."""
        now = self.clock()
        tasks = await run_db(
            self.tasks.public_candidates,
            hidden=HIDDEN_STATUSES,
            bbox=bbox,
            categories=categories,
            status=status,
            limit=limit,
            unit_id=unit_id,
        )
        fade = timedelta(seconds=self.settings.public_fade_after_s)
        out = []
        for task in tasks:
            view = public_threat(
                task,
                category=self.catalogue.get(task.category),
                now=now,
                fade_after=fade,
            )
            if view is not None:
                out.append(view)
        return out

    async def threats_feed(self, area: FeedArea, *, categories: Sequence[str], limit: int) -> list[dict[str, Any]]:
        """An alert feed's public threats; UnknownCategories for codes not in the catalogue."""
        unknown = [c for c in categories if self.catalogue.get(c) is None]
        if unknown:
            raise UnknownCategories(unknown)
        return await self.public_threats(bbox=area.bbox, unit_id=area.unit_id, categories=categories, limit=limit)

    def open_threats(
        self,
        *,
        bbox: tuple[float, float, float, float] | None,
        category: str | None,
        unit_id: str | None,
        start: datetime,
        end: datetime,
    ) -> Iterator[dict[str, Any]]:
        """Public threats posted in [start, end) for the open-data export, one by one (blocking: run in a thread)."""
        now = self.clock()
        fade = timedelta(seconds=self.settings.public_fade_after_s)
        for task in self.tasks.public_export(
            hidden=HIDDEN_STATUSES, bbox=bbox, category=category, unit_id=unit_id, start=start, end=end
        ):
            view = public_threat(task, category=self.catalogue.get(task.category), now=now, fade_after=fade)
            if view is not None:
                yield view
