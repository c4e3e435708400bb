"""The one MongoDB client factory: pymongo for mongodb:// URLs, mongomock for the embedded mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pymongo
from pymongo.database import Database
from pymongo.errors import PyMongoError

from .settings import EPHEMERAL_MONGO_SCHEME, ServiceSettings

__all__ = ["create_mongo_client", "get_database", "run_db", "write_db", "ping"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def create_mongo_client(url: str) -> pymongo.MongoClient[Any]:
    """Return a client for ``url``; ``mongomock://`` gives an in-process store with the pymongo API."""
    if url.startswith(EPHEMERAL_MONGO_SCHEME):
        import mongomock

        return mongomock.MongoClient(tz_aware=True)  # type: ignore[return-value]
    return pymongo.MongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000, connect=False)


def get_database(settings: ServiceSettings) -> Database[Any]:
    """The service's database through the one client factory."""
    return create_mongo_client(settings.mongo_url)[settings.mongo_db]


async def run_db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking pymongo call off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def write_db(fn: Callable[..., T], /, *args: Any, max_delay_s: float = 10.0, **kwargs: Any) -> T:
    """Run a blocking write, retrying store errors with capped backoff until it succeeds.

    Stream agents use it: while the store is down the stream waits, and nothing is skipped.
    """
    delay = 0.1
    while True:
        try:
            return await run_db(fn, *args, **kwargs)
        except PyMongoError as exc:
            log.warning("store write failed, retrying", extra={"error": str(exc)[:300], "retry_in_s": delay})
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay_s)


def ping(db: Database[Any]) -> None:
    """Raise if the store does not answer."""
    db.command("ping")
