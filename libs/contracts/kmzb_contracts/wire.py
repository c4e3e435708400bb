"""Encoding of events on the wire (UTF-8 JSON) and decoding with upcasters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from .events import (
    SCHEMA_VERSION,
    Event,
    HotspotUpdated,
    ReportMerged,
    ReportRouted,
    ReportSubmitted,
    StatisticRecorded,
    TaskAssigned,
    TaskCreated,
    TaskEscalated,
    TaskStatusChanged,
    ThreatConfirmed,
)

__all__ = ["encode", "decode", "decode_task_event", "DecodeError", "TaskEvent", "AnyTaskEvent", "UPCASTERS"]

E = TypeVar("E", bound=Event)

AnyTaskEvent = TaskCreated | TaskStatusChanged | ReportMerged | TaskAssigned | TaskEscalated
TaskEvent = Annotated[AnyTaskEvent, Field(discriminator="event_type")]
_task_event_adapter: TypeAdapter[AnyTaskEvent] = TypeAdapter(TaskEvent)

# (event_type, schema_version) -> function that lifts a raw dict one version up.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}

EVENT_TYPES: dict[str, type[Event]] = {
    t.__name__: t
    for t in (
        ReportSubmitted,
        ReportRouted,
        TaskCreated,
        TaskStatusChanged,
        HotspotUpdated,
        ThreatConfirmed,
        StatisticRecorded,
        ReportMerged,
        TaskAssigned,
        TaskEscalated,
    )
}


class DecodeError(ValueError):
    """A message that is not a valid event of the expected type; carries a reason for the dead-letter topic."""


def encode(event: BaseModel) -> bytes:
    """Serialise an event as compact UTF-8 JSON."""
    return event.model_dump_json().encode()


def _upcast(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise DecodeError(f"invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise DecodeError(f"schema_version {version} is newer than this service understands")
    event_type = str(raw.get("event_type", ""))
    while version < SCHEMA_VERSION:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise DecodeError(f"no upcaster for {event_type} v{version}")
        raw = step(raw)
        version = raw["schema_version"]
    return raw


def _load(data: bytes | str) -> dict[str, Any]:
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DecodeError(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise DecodeError("not a JSON object")
    return _upcast(raw)


def decode(data: bytes | str, event_type: type[E]) -> E:
    """Parse a message as ``event_type``, upcasting older versions; raise DecodeError with the reason."""
    raw = _load(data)
    try:
        return event_type.model_validate(raw)
    except ValidationError as exc:
        raise DecodeError(f"invalid {event_type.__name__}: {exc.errors(include_url=False)}") from exc


def decode_task_event(data: bytes | str) -> AnyTaskEvent:
    """Parse a message of the tasks topic, which carries every task event type."""
    raw = _load(data)
    try:
        return _task_event_adapter.validate_python(raw)
    except ValidationError as exc:
        raise DecodeError(f"invalid task event: {exc.errors(include_url=False)}") from exc
