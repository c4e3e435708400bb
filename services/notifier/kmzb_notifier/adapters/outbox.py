"""The outbox: every event the notifier emits, kept until the broker acknowledged it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pymongo
from pymongo.database import Database

from kmzb_common.mongo import insert_if_absent
from kmzb_contracts import Event, encode

__all__ = ["Outbox"]


class Outbox:
    """Events by id until the broker has them; the relay resends the rest (at-least-once, ids repeat).

    An acknowledged event leaves the outbox (the topic keeps it), so the collection holds only
    what is in flight or failed and the relay's scan stays small however many events went out.
    """

    def __init__(self, db: Database[Any]) -> None:
        self._events = db["outbox"]
        self._events.create_index([("created_at", pymongo.ASCENDING)])

    def add(self, event: Event, *, key: bytes, at: datetime) -> bool:
        """Keep the event once; True when it was new."""
        doc = {"_id": str(event.event_id), "key": key.decode(), "value": encode(event).decode(), "created_at": at}
        return insert_if_absent(self._events, doc)

    def get(self, event_id: str) -> dict[str, Any] | None:
        """One event not acknowledged yet."""
        return self._events.find_one({"_id": event_id})

    def unpublished(self, *, created_before: datetime, limit: int = 500) -> list[dict[str, Any]]:
        """Events not acknowledged yet, oldest first."""
        query = {"created_at": {"$lte": created_before}}
        return list(self._events.find(query).sort("created_at", pymongo.ASCENDING).limit(limit))

    def mark_published(self, event_id: str) -> None:
        """The broker acknowledged the event."""
        self._events.delete_one({"_id": event_id})

    def mark_many_published(self, event_ids: list[str]) -> None:
        """The broker acknowledged these events."""
        self._events.delete_many({"_id": {"$in": event_ids}})
