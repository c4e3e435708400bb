"""The attachment storage port and its MongoDB adapter (content in chunk documents, like GridFS)."""

from __future__ import annotations

import abc
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson.binary import Binary
from pymongo.database import Database

__all__ = ["StoredAttachment", "AttachmentStore", "MongoAttachmentStore"]

CHUNK = 255 * 1024


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """Metadata of a stored file."""

    attachment_id: str
    content_type: str
    size: int
    sha256: str
    owner: str


class AttachmentStore(abc.ABC):
    """Where attachment bytes live; reports carry only references."""

    @abc.abstractmethod
    def put(self, data: bytes, *, content_type: str, owner: str, now: datetime) -> StoredAttachment:
        """Store the bytes and return their metadata."""

    @abc.abstractmethod
    def meta(self, attachment_id: str) -> StoredAttachment | None:
        """Metadata of a stored file, or None."""

    @abc.abstractmethod
    def read(self, attachment_id: str) -> bytes | None:
        """The stored bytes, or None."""


class MongoAttachmentStore(AttachmentStore):
    """GridFS layout (files + chunks collections) written with plain pymongo calls mongomock honours."""

    def __init__(self, db: Database[Any]) -> None:
        self._files = db["attachments.files"]
        self._chunks = db["attachments.chunks"]

    def put(self, data: bytes, *, content_type: str, owner: str, now: datetime) -> StoredAttachment:
        """Chunks first, then the file document, so a visible file is always complete."""
        attachment_id = str(uuid.uuid4())
        for n, start in enumerate(range(0, len(data), CHUNK)):
            self._chunks.insert_one({"files_id": attachment_id, "n": n, "data": Binary(data[start : start + CHUNK])})
        meta = StoredAttachment(attachment_id, content_type, len(data), hashlib.sha256(data).hexdigest(), owner)
        self._files.insert_one(
            {
                "_id": attachment_id,
                "contentType": content_type,
                "length": len(data),
                "chunkSize": CHUNK,
                "sha256": meta.sha256,
                "owner": owner,
                "uploadDate": now,
            }
        )
        return meta

    def meta(self, attachment_id: str) -> StoredAttachment | None:
        """Metadata of a stored file, or None."""
        doc = self._files.find_one({"_id": attachment_id})
        if doc is None:
            return None
        return StoredAttachment(doc["_id"], doc["contentType"], doc["length"], doc["sha256"], doc["owner"])

    def read(self, attachment_id: str) -> bytes | None:
        """The stored bytes, or None."""
        if self._files.find_one({"_id": attachment_id}) is None:
            return None
        return b"".join(bytes(c["data"]) for c in self._chunks.find({"files_id": attachment_id}).sort("n", 1))
