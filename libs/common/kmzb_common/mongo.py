"""The one MongoDB client factory: pymongo for mongodb:// URLs, mongomock for the embedded mode."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pymongo
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from .retry import retry
from .settings import EPHEMERAL_MONGO_SCHEME, ServiceSettings

__all__ = ["create_mongo_client", "get_database", "run_db", "write_db", "ping", "insert_if_absent"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def _install_mongomock_speedups() -> None:
    """Changes that give the in-process store MongoDB's costs where the code relies on them.

    1. mongomock matches every query against every document (about 1 µs a document), so a keyed
       upsert on 300,000 documents took 0.3 s. Its store is already a dict keyed by ``_id``:
       filters on an ``_id`` value or an ``_id`` ``$in`` list now read those keys only, as
       MongoDB's _id index does.
    2. mongomock expires TTL-indexed documents by scanning the collection on every access;
       MongoDB's TTL monitor runs once a minute. Here the scan runs at most once a second per
       collection (code never relies on the exact moment of a TTL deletion).
    3. mongomock parses version strings on every insert and update to pick pymongo's behaviour;
       the parses are cached (the versions never change in a process).
    4. mongomock's cursor copies its whole remaining result list for every document it yields
       (``results[skip:]``), so reading n documents costs n²: 100,000 took 100 s, 10,000 took 0.5 s
       (bench/dashboard_bench.py). The cursor now indexes into its results, as a server cursor streams.
    """
    import functools
    import types

    from mongomock import collection as mongomock_collection
    from mongomock import store as mongomock_store
    from mongomock.filtering import filter_applies
    from packaging import version as packaging_version

    if not isinstance(mongomock_collection.version, types.SimpleNamespace):
        parse = functools.lru_cache(maxsize=64)(packaging_version.parse)
        mongomock_collection.version = types.SimpleNamespace(parse=parse)  # type: ignore[assignment]

    store_cls = mongomock_store.CollectionStore
    if not getattr(store_cls, "_kmzb_ttl_throttle", False):
        expire = store_cls._remove_expired_documents

        def _remove_expired_documents(self: Any) -> None:
            now = time.monotonic()
            if now - getattr(self, "_kmzb_last_expiry", -1.0) >= 1.0:
                self._kmzb_last_expiry = now
                expire(self)

        store_cls._remove_expired_documents = _remove_expired_documents
        store_cls._kmzb_ttl_throttle = True

    cursor_cls = mongomock_collection.Cursor
    if not getattr(cursor_cls, "_kmzb_linear_next", False):

        def __next__(self: Any) -> Any:
            # The same documents as mongomock's results[skip:][:abs(limit)][emitted], without the copies.
            if self._limit and self._emitted >= abs(self._limit):
                raise StopIteration
            results = self._compute_results()
            i = (self._skip or 0) + self._emitted
            if i >= len(results):
                raise StopIteration
            self._emitted += 1
            return results[i]

        cursor_cls.__next__ = __next__
        cursor_cls.next = __next__
        cursor_cls._kmzb_linear_next = True

    cls = mongomock_collection.Collection
    if getattr(cls, "_kmzb_id_lookup", False):
        return
    scan = cls._iter_documents

    def _keys(wanted: Any) -> list[Any] | None:
        def plain(v: Any) -> bool:
            return isinstance(v, str | int) and not isinstance(v, bool)

        if plain(wanted):
            return [wanted]
        if isinstance(wanted, dict) and set(wanted) == {"$in"} and isinstance(wanted["$in"], list | tuple):
            if all(plain(v) for v in wanted["$in"]):
                return list(dict.fromkeys(wanted["$in"]))
        return None

    def _iter_documents(self: Any, filter: Any) -> Any:  # noqa: A002 - mongomock's own signature
        keys = _keys(filter.get("_id")) if isinstance(filter, dict) and "_id" in filter else None
        if keys is None:
            return scan(self, filter)
        docs = []
        for key in keys:
            try:
                doc = self._store[key]
            except KeyError:
                continue
            if filter_applies(filter, doc):
                docs.append(doc)
        return iter(docs)

    cls._iter_documents = _iter_documents
    cls._kmzb_id_lookup = True


def create_mongo_client(url: str) -> pymongo.MongoClient[Any]:
    """Return a client for ``url``; ``mongomock://`` gives an in-process store with the pymongo API."""
    if url.startswith(EPHEMERAL_MONGO_SCHEME):
        try:
            import mongomock
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                f"{url!r} asks for the embedded in-process store, which needs kmzb-common[embedded] "
                "(mongomock); service images have only pymongo: set the service's MONGO_URL to mongodb://..."
            ) from exc

        global _inline_calls
        _install_mongomock_speedups()
        _inline_calls = True
        return mongomock.MongoClient(tz_aware=True)  # type: ignore[return-value]
    return pymongo.MongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000, connect=False)


def get_database(settings: ServiceSettings) -> Database[Any]:
    """The service's database through the one client factory."""
    return create_mongo_client(settings.mongo_url)[settings.mongo_db]


_inline_calls = False
"""True once the process uses the in-process store: it does no I/O, so its calls run inline."""


async def run_db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking pymongo call off the event loop (inline for the in-process store).

    mongomock is pure Python holding the GIL: a worker thread would only add two hand-offs.
    """
    if _inline_calls:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


async def write_db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking write, retrying store errors with capped backoff until it succeeds.

    Stream agents use it: while the store is down the stream waits, and nothing is skipped.
    """
    return await retry(lambda: run_db(fn, *args, **kwargs), on=PyMongoError, what="store write")


def ping(db: Database[Any]) -> None:
    """Raise if the store does not answer."""
    db.command("ping")


def insert_if_absent(collection: Collection[Any], doc: dict[str, Any]) -> bool:
    """Insert ``doc`` unless a document with its ``_id`` exists; True when it was inserted.

    What an upsert with ``$setOnInsert`` on the ``_id`` does, as one plain insert: the common case
    (a new id) costs a third of the upsert in the embedded store.
    """
    try:
        collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
