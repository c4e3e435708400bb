"""KMZB contracts: every Kafka key/value model, topic name and schema version."""

from .catalogue import Catalogue, Category, load_catalogue
from .events import (
    FALLBACK_QUEUE_KEY,
    SCHEMA_VERSION,
    Channel,
    Event,
    H3Cells,
    HotspotUpdated,
    ReportRouted,
    ReportSubmitted,
    TaskCreated,
    TaskStatusChanged,
    UnitRef,
    UnroutedReason,
    derived_event_id,
)
from .statuses import OPEN_STATUSES, STATUS_COLOURS, STATUS_LABELS_PL, TaskStatus, can_transition
from .topics import TOPIC_PARTITIONS, TopicNames
from .wire import DecodeError, decode, decode_task_event, encode

__all__ = [
    "Catalogue",
    "Category",
    "load_catalogue",
    "FALLBACK_QUEUE_KEY",
    "SCHEMA_VERSION",
    "Channel",
    "Event",
    "H3Cells",
    "HotspotUpdated",
    "ReportRouted",
    "ReportSubmitted",
    "TaskCreated",
    "TaskStatusChanged",
    "UnitRef",
    "UnroutedReason",
    "derived_event_id",
    "OPEN_STATUSES",
    "STATUS_COLOURS",
    "STATUS_LABELS_PL",
    "TaskStatus",
    "can_transition",
    "TOPIC_PARTITIONS",
    "TopicNames",
    "DecodeError",
    "decode",
    "decode_task_event",
    "encode",
]
