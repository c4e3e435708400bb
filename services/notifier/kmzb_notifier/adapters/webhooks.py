"""Webhook recipients per unit and the delivery state of every item to every recipient."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

import httpx
import pymongo
from pymongo.database import Database

__all__ = ["WebhookStore", "WebhookSender", "HttpWebhookSender", "DeliveryState"]


class DeliveryState:
    """States of one delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookStore:
    """``webhook_recipients`` and ``webhook_deliveries`` (one per recipient and item)."""

    def __init__(self, db: Database[Any]) -> None:
        self._recipients = db["webhook_recipients"]
        self._deliveries = db["webhook_deliveries"]
        self._recipients.create_index([("unit_id", pymongo.ASCENDING)])
        self._deliveries.create_index([("state", pymongo.ASCENDING), ("next_attempt_at", pymongo.ASCENDING)])
        self._deliveries.create_index([("recipient_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)])

    def add_recipient(self, *, unit_id: str, url: str, created_by: str, at: datetime) -> dict[str, Any]:
        """Register a recipient of the unit's (and its subtree's) items."""
        doc = {"_id": str(uuid.uuid4()), "unit_id": unit_id, "url": url, "created_by": created_by, "created_at": at}
        self._recipients.insert_one(dict(doc))
        return doc

    def partner_recipient(self, *, partner_id: str, url: str) -> str:
        """The recipient id of a partner's webhook (kept up to date with the configured URL).

        A partner recipient has no unit: it receives only the handovers addressed to it, never a unit's items.
        """
        recipient_id = f"partner:{partner_id}"
        self._recipients.update_one(
            {"_id": recipient_id}, {"$set": {"partner_id": partner_id, "url": url}}, upsert=True
        )
        return recipient_id

    @staticmethod
    def delivery_id(recipient_id: str, event_id: str) -> str:
        """The id of the one delivery of an item to a recipient."""
        return f"{recipient_id}:{event_id}"

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        """One delivery's state, without its body."""
        return self._deliveries.find_one({"_id": delivery_id}, {"body": 0})

    def recipient(self, recipient_id: str) -> dict[str, Any] | None:
        """One recipient."""
        return self._recipients.find_one({"_id": recipient_id})

    def recipients_for(self, unit_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Recipients registered for any of the units."""
        return list(self._recipients.find({"unit_id": {"$in": list(unit_ids)}}))

    def enqueue(self, recipient_id: str, *, event_id: str, body: str, at: datetime) -> bool:
        """One delivery per recipient and item; True when new."""
        result = self._deliveries.update_one(
            {"_id": self.delivery_id(recipient_id, event_id)},
            {
                "$setOnInsert": {
                    "recipient_id": recipient_id,
                    "event_id": event_id,
                    "body": body,
                    "state": DeliveryState.PENDING,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                    "last_error": None,
                    "delivered_at": None,
                }
            },
            upsert=True,
        )
        return result.upserted_id is not None

    def due(self, *, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """Pending deliveries whose next attempt is due."""
        query = {"state": DeliveryState.PENDING, "next_attempt_at": {"$lte": now}}
        return list(self._deliveries.find(query).sort("next_attempt_at", pymongo.ASCENDING).limit(limit))

    def succeeded(self, delivery_id: str, *, at: datetime) -> None:
        """The recipient took the item."""
        self._deliveries.update_one(
            {"_id": delivery_id, "state": DeliveryState.PENDING},
            {
                "$set": {"state": DeliveryState.DELIVERED, "delivered_at": at, "last_error": None},
                "$inc": {"attempts": 1},
            },
        )

    def failed(self, delivery_id: str, *, error: str, retry_at: datetime | None) -> None:
        """An attempt failed; retry at ``retry_at``, or give up when None."""
        update: dict[str, Any] = {"last_error": error[:500]}
        if retry_at is None:
            update["state"] = DeliveryState.FAILED
        else:
            update["next_attempt_at"] = retry_at
        self._deliveries.update_one(
            {"_id": delivery_id, "state": DeliveryState.PENDING}, {"$set": update, "$inc": {"attempts": 1}}
        )

    def deliveries(self, recipient_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """A recipient's deliveries, newest first, without the bodies."""
        cursor = self._deliveries.find({"recipient_id": recipient_id}, {"body": 0})
        return list(cursor.sort("created_at", pymongo.DESCENDING).limit(limit))


class WebhookSender(Protocol):
    """Posts one item to a recipient; raises on any failure."""

    async def send(self, url: str, *, body: str, event_id: str) -> None: ...


class HttpWebhookSender:
    """Posts JSON with httpx; any non-2xx answer is a failure."""

    def __init__(self, *, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    async def send(self, url: str, *, body: str, event_id: str) -> None:
        """POST the item; raise on a transport error or a non-2xx status."""
        headers = {"content-type": "application/json", "x-kmzb-event-id": event_id}
        async with httpx.AsyncClient(timeout=self._timeout_s) as client:
            resp = await client.post(url, content=body.encode(), headers=headers)
        if not 200 <= resp.status_code < 300:
            raise RuntimeError(f"HTTP {resp.status_code}")
