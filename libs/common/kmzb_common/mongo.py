"""The one MongoDB client factory: pymongo for mongodb:// URLs, mongomock for the embedded mode."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import pymongo
from pymongo.database import Database

from .settings import EPHEMERAL_MONGO_SCHEME, ServiceSettings

__all__ = ["create_mongo_client", "get_database", "run_db", "ping"]

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


def ping(db: Database[Any]) -> None:
    """Raise if the store does not answer."""
    db.command("ping")
