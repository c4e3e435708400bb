"""Edit locks on tasks: take, refresh, release, take over; and the check every change makes."""

from __future__ import annotations

import uuid

from kmzb_common.auth import Principal, Role
from kmzb_common.clock import Clock
from kmzb_common.mongo import run_db

from ..adapters.feed_store import FeedStore, unit_feed
from ..adapters.locks import LockStore
from ..adapters.task_store import TaskStore
from ..domain.errors import TaskLocked
from ..domain.locks import EditLock, claim, require_free
from ..domain.model import Task
from .access import Access, require_role

__all__ = ["EditLocks"]

_ATTEMPTS = 3  # compare-and-set rounds before a concurrent writer is reported as the holder


class EditLocks:
    """Who edits which task; colleagues' consoles learn of every change of holder through the feeds."""

    def __init__(self, *, locks: LockStore, tasks: TaskStore, feeds: FeedStore, access: Access, clock: Clock) -> None:
        self.locks = locks
        self.tasks = tasks
        self.feeds = feeds
        self.access = access
        self.clock = clock

    async def current(self, task_id: str) -> EditLock | None:
        """The task's active lock, or None."""
        lock = await self.locks.get(task_id)
        return lock if lock is not None and lock.active(self.clock()) else None

    async def acquire(self, principal: Principal, task_id: str, *, take_over: bool = False) -> EditLock:
        """Take or refresh the lock; TaskLocked while another holds it; a coordinator may ``take_over``."""
        require_role(principal, Role.OFFICER, Role.COORDINATOR)
        task = await self.access.task_for(principal, task_id)
        for _ in range(_ATTEMPTS):
            now = self.clock()
            stored = await self.locks.get(task_id)
            lock = claim(
                stored,
                task_id=task_id,
                officer_id=principal.subject,
                officer_name=principal.name,
                now=now,
                take_over=take_over,
                may_take_over=principal.has_role(Role.COORDINATOR),
            )
            if await self.locks.swap(lock, expected=stored):
                break
        else:
            stored = await self.locks.get(task_id)
            assert stored is not None  # another writer won every round
            raise TaskLocked(holder=stored.holder, holder_name=stored.holder_name, until=stored.expires_at)
        new_holder = stored is None or not stored.active(now) or stored.holder != principal.subject
        if lock.taken_over_from is not None and new_holder:
            assert stored is not None
            entry = {
                "by": principal.subject,
                "by_name": principal.name,
                "from": stored.holder,
                "from_name": stored.holder_name,
                "at": now,
            }
            await run_db(self.tasks.add_takeover, task_id, entry=entry)
        if new_holder:
            await self._announce(task, "TaskLockTaken")
        return lock

    async def release(self, principal: Principal, task_id: str) -> None:
        """Give the lock back (nothing to do when the caller does not hold it)."""
        task = await self.access.task_for(principal, task_id)
        await self._release(task, principal.subject)

    async def require_free(self, principal: Principal, task: Task) -> None:
        """TaskLocked when another officer edits the task."""
        require_free(await self.locks.get(task.task_id), officer_id=principal.subject, now=self.clock())

    async def saved(self, principal: Principal, task: Task) -> None:
        """The holder saved their change: the lock is released."""
        await self._release(task, principal.subject)

    async def _release(self, task: Task, holder: str) -> None:
        if await self.locks.delete(task.task_id, holder=holder):
            await self._announce(task, "TaskLockReleased")

    async def _announce(self, task: Task, item_type: str) -> None:
        now = self.clock()
        data = {"event_type": item_type, "task_id": task.task_id, "unit_id": task.unit_id, "at": now.isoformat()}
        feeds = [unit_feed(u) for u in task.unit_chain]
        await run_db(self.feeds.append, feeds, event_id=str(uuid.uuid4()), item_type=item_type, data=data, at=now)
