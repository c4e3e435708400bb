"""Where edit locks are kept: the port, its MongoDB adapter and the in-memory fake for tests."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from pymongo.database import Database

from kmzb_common.mongo import insert_if_absent, run_db

from ..domain.locks import EditLock

__all__ = ["LockStore", "MongoLockStore", "InMemoryLockStore"]


class LockStore(Protocol):
    """The edit lock of each task (at most one)."""

    async def get(self, task_id: str) -> EditLock | None:
        """The task's lock as stored (maybe expired), or None."""

    async def swap(self, new: EditLock, *, expected: EditLock | None) -> bool:
        """Store ``new`` if the stored lock is still ``expected`` (None: no lock); False when another write won."""

    async def delete(self, task_id: str, *, holder: str) -> bool:
        """Remove the task's lock if ``holder`` holds it; True when it was removed."""


class MongoLockStore:
    """``task_locks``: one document per task, ``_id`` the task id.

    No TTL index: the domain judges expiry by the service's clock, and an expired lock is simply
    replaced by the next claim (at most one document per task ever edited).
    """

    def __init__(self, db: Database[Any]) -> None:
        self._locks = db["task_locks"]

    async def get(self, task_id: str) -> EditLock | None:
        """The task's lock as stored, or None."""
        doc = await run_db(self._locks.find_one, {"_id": task_id})
        if doc is None:
            return None
        return EditLock(**{f.name: doc[f.name] for f in dataclasses.fields(EditLock) if f.name in doc})

    async def swap(self, new: EditLock, *, expected: EditLock | None) -> bool:
        """Compare-and-set on the lock's revision."""
        doc = {"_id": new.task_id, **dataclasses.asdict(new)}
        if expected is None:
            return await run_db(insert_if_absent, self._locks, doc)
        result = await run_db(self._locks.replace_one, {"_id": new.task_id, "rev": expected.rev}, doc)
        return result.modified_count == 1

    async def delete(self, task_id: str, *, holder: str) -> bool:
        """Remove the holder's lock."""
        result = await run_db(self._locks.delete_one, {"_id": task_id, "holder": holder})
        return result.deleted_count == 1


class InMemoryLockStore:
    """The same port over a dict, for unit tests."""

    def __init__(self) -> None:
        self.locks: dict[str, EditLock] = {}

    async def get(self, task_id: str) -> EditLock | None:
        """The task's lock, or None."""
        return self.locks.get(task_id)

    async def swap(self, new: EditLock, *, expected: EditLock | None) -> bool:
        """Compare-and-set on the lock's revision."""
        stored = self.locks.get(new.task_id)
        if (stored is None) != (expected is None) or (stored and expected and stored.rev != expected.rev):
            return False
        self.locks[new.task_id] = new
        return True

    async def delete(self, task_id: str, *, holder: str) -> bool:
        """Remove the holder's lock."""
        stored = self.locks.get(task_id)
        if stored is None or stored.holder != holder:
            return False
        del self.locks[task_id]
        return True
