"""Append-only feeds in MongoDB: per feed a gapless, increasing sequence that clients resume from."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pymongo
from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

__all__ = ["FeedStore", "unit_feed", "officer_feed"]


def unit_feed(unit_id: str) -> str:
    """Name of a unit's feed."""
    return f"unit:{unit_id}"


def officer_feed(officer_id: str) -> str:
    """Name of an officer's own feed."""
    return f"officer:{officer_id}"


class FeedStore:
    """Items appended once per feed and event id, read in sequence order."""

    def __init__(self, db: Database[Any]) -> None:
        self._items = db["feed_items"]
        self._counters = db["feed_counters"]
        # An item's _id is its feed and event id: the store itself refuses a second copy.
        self._items.create_index([("feed", pymongo.ASCENDING), ("seq", pymongo.ASCENDING)])
        # One writer at a time: a reader must never see seq n+1 before seq n is stored, or a
        # client resuming after n+1 would miss n. Several replicas would need one writer per feed.
        self._lock = threading.Lock()

    def append(self, feeds: Iterable[str], *, event_id: str, item_type: str, data: dict[str, Any], at: datetime) -> int:
        """Append the item to every feed that lacks it; how many feeds got it."""
        added = 0
        with self._lock:
            for feed in dict.fromkeys(feeds):
                seq = self._bump(feed, 1)
                try:
                    self._items.insert_one(
                        {
                            "_id": f"{feed}#{event_id}",
                            "feed": feed,
                            "seq": seq,
                            "event_id": event_id,
                            "type": item_type,
                            "data": data,
                            "at": at,
                        }
                    )
                except DuplicateKeyError:
                    # Already in the feed: give the number back so the sequence stays gapless.
                    self._bump(feed, -1)
                    continue
                added += 1
        return added

    def _bump(self, feed: str, step: int) -> int:
        counter = self._counters.find_one_and_update(
            {"_id": feed}, {"$inc": {"seq": step}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(counter["seq"])

    def read(self, feed: str, *, after: int, limit: int = 100) -> list[dict[str, Any]]:
        """Items of the feed with a sequence above ``after``, oldest first."""
        cursor = self._items.find({"feed": feed, "seq": {"$gt": after}}, {"_id": 0})
        return list(cursor.sort("seq", pymongo.ASCENDING).limit(limit))
