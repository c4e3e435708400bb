"""Two officers, one task: the edit lock (pure domain code).

An officer who opens a task to work on it holds its edit lock for ``LOCK_TTL`` (refreshed while
the task stays open, released when the officer saves a status change). Meanwhile others may
read the task and add internal notes (they only add to the record), but a status change or an
assignment by anyone else is refused with who holds the lock and until when. A coordinator may
take the lock over (the officer went home with the task open); the takeover is kept in the
task's history. An expired lock is no lock: nobody has to release it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import RoleForbidden, TaskLocked

__all__ = ["LOCK_TTL", "EditLock", "claim", "require_free"]

LOCK_TTL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class EditLock:
    """Who edits a task and until when."""

    task_id: str
    holder: str
    holder_name: str
    acquired_at: datetime
    expires_at: datetime
    taken_over_from: str | None = None
    rev: int = 0  # bumped on every write: the store swaps a lock only if nobody wrote in between

    def active(self, now: datetime) -> bool:
        """Whether the lock still holds at ``now``."""
        return now < self.expires_at

    def blocks(self, officer_id: str, now: datetime) -> bool:
        """Whether the lock stops ``officer_id`` from changing the task at ``now``."""
        return self.active(now) and self.holder != officer_id


def require_free(lock: EditLock | None, *, officer_id: str, now: datetime) -> None:
    """TaskLocked when another officer holds an active lock on the task."""
    if lock is not None and lock.blocks(officer_id, now):
        raise TaskLocked(holder=lock.holder, holder_name=lock.holder_name, until=lock.expires_at)


def claim(
    current: EditLock | None,
    *,
    task_id: str,
    officer_id: str,
    officer_name: str,
    now: datetime,
    take_over: bool = False,
    may_take_over: bool = False,
    ttl: timedelta = LOCK_TTL,
) -> EditLock:
    """The lock after ``officer_id`` asks for it: taken, refreshed, or taken over.

    A free or expired lock is taken; the holder's own lock is refreshed (it keeps its start);
    another officer's active lock is TaskLocked, unless ``take_over`` by someone who
    ``may_take_over`` (RoleForbidden for anyone else).
    """
    until = now + ttl
    rev = current.rev + 1 if current is not None else 1
    if current is None or not current.active(now):
        return EditLock(task_id, officer_id, officer_name, now, until, rev=rev)
    if current.holder == officer_id:
        return EditLock(task_id, officer_id, officer_name, current.acquired_at, until, current.taken_over_from, rev)
    if not take_over:
        raise TaskLocked(holder=current.holder, holder_name=current.holder_name, until=current.expires_at)
    if not may_take_over:
        raise RoleForbidden()
    return EditLock(task_id, officer_id, officer_name, now, until, taken_over_from=current.holder, rev=rev)
