"""Shared state that every intake replica sees: the per-device limit and idempotency records.

Both rest on a unique key in MongoDB, so two replicas racing for the same device or key cannot
both win: the loser gets a DuplicateKeyError. No in-process dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from kmzb_common.ids import new_uuid4
from kmzb_common.mongo import insert_if_absent

__all__ = ["DeviceLimiter", "Limited", "IdempotencyStore", "IdempotencyRecord"]


@dataclass(frozen=True, slots=True)
class Limited:
    """The device already reported; it may report again at ``until``."""

    until: datetime


class DeviceLimiter:
    """One report per device per window, as a sliding window: each device's next allowed time."""

    def __init__(self, db: Database[Any], *, window: timedelta) -> None:
        self._slots = db["device_slots"]
        self._window = window

    def ensure_indexes(self) -> None:
        """Let MongoDB drop slots a day after they end (uniqueness is the _id)."""
        self._slots.create_index("until", expireAfterSeconds=86400)

    def reserve(self, device_hashes: list[str], *, now: datetime) -> str | Limited:
        """Take the slot of the first hash (current secret) unless any hash still holds one.

        The other hashes are those under previous secrets, so a rotation does not reset the limit.
        Returns a reservation id for ``release``. A device seen for the first time costs one insert.
        """
        if len(device_hashes) > 1:
            active = self._slots.find_one({"_id": {"$in": device_hashes[1:]}, "until": {"$gt": now}})
            if active is not None:
                return Limited(active["until"])
        reservation = new_uuid4().hex
        slot = {"until": now + self._window, "reservation": reservation, "taken_at": now}
        if insert_if_absent(self._slots, {"_id": device_hashes[0], **slot}):
            return reservation
        try:
            # The device had a slot: take it over only if it has ended. An active one makes the
            # upsert insert a second document with the same _id, which the unique index refuses.
            self._slots.update_one({"_id": device_hashes[0], "until": {"$lte": now}}, {"$set": slot}, upsert=True)
        except DuplicateKeyError:
            doc = self._slots.find_one({"_id": device_hashes[0]})
            return Limited(doc["until"] if doc else now + self._window)
        return reservation

    def release(self, device_hash: str, reservation: str) -> None:
        """Give the slot back (the report was not accepted after all)."""
        self._slots.delete_one({"_id": device_hash, "reservation": reservation})


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """What the first request with a key got, or that it is still being handled."""

    fingerprint: str
    status: int | None
    body: dict[str, Any] | None

    @property
    def pending(self) -> bool:
        """The first request has not finished yet."""
        return self.status is None


class IdempotencyStore:
    """First response per (route, key, device): a pending record is claimed before any side effect."""

    def __init__(self, db: Database[Any], *, ttl: timedelta, stale_after: timedelta = timedelta(seconds=60)) -> None:
        self._records = db["idempotency"]
        self._ttl = ttl
        self._stale_after = stale_after

    def ensure_indexes(self) -> None:
        """Let MongoDB drop records once they expire."""
        self._records.create_index("expires_at", expireAfterSeconds=0)

    def claim(self, record_id: str, *, fingerprint: str, now: datetime) -> IdempotencyRecord | None:
        """None when this request is the first with the key; otherwise the existing record."""
        self._records.delete_one({"_id": record_id, "expires_at": {"$lte": now}})
        # A claim left pending (its replica died, or the store failed while abandoning it) must
        # not block retries for the whole TTL. Ids derived from the key keep a late publish harmless.
        self._records.delete_one({"_id": record_id, "status": None, "claimed_at": {"$lte": now - self._stale_after}})
        try:
            self._records.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": fingerprint,
                    "status": None,
                    "claimed_at": now,
                    "expires_at": now + self._ttl,
                }
            )
            return None
        except DuplicateKeyError:
            doc = self._records.find_one({"_id": record_id})
        if doc is None:
            return self.claim(record_id, fingerprint=fingerprint, now=now)
        return IdempotencyRecord(doc["fingerprint"], doc.get("status"), doc.get("body"))

    def complete(self, record_id: str, *, status: int, body: dict[str, Any]) -> None:
        """Remember the response to replay it."""
        self._records.update_one({"_id": record_id}, {"$set": {"status": status, "body": body}})

    def abandon(self, record_id: str) -> None:
        """Forget a pending claim whose request failed, so a retry is handled afresh."""
        self._records.delete_one({"_id": record_id, "status": None})
