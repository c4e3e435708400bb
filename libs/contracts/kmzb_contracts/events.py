"""Kafka event models of KMZB, version 1.

Events are immutable past-tense facts. Every value carries ``schema_version`` and
``event_type``; changes are additive (consumers ignore fields they do not know), and a
breaking change is a new type or topic with an upcaster in :mod:`kmzb_contracts.wire`.
"""

from __future__ import annotations

import math
import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .statuses import TaskStatus

__all__ = [
    "SCHEMA_VERSION",
    "FALLBACK_QUEUE_KEY",
    "Channel",
    "UnroutedReason",
    "Event",
    "ReportSubmitted",
    "H3Cells",
    "UnitRef",
    "ReportRouted",
    "TaskCreated",
    "TaskStatusChanged",
    "HotspotUpdated",
    "derived_event_id",
    "TimeBand",
    "Recurrence",
    "AttachmentRef",
    "OfficerSource",
    "OfficerEntry",
    "StatisticsLayer",
    "ThreatConfirmed",
    "StatisticRecorded",
    "ReportMerged",
    "TaskAssigned",
    "DeadlineKind",
    "TaskEscalated",
]

SCHEMA_VERSION = 1
FALLBACK_QUEUE_KEY = "UNROUTED"
"""Message key of reports that no unit owns: the national fallback queue."""

_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-4c55-9a53-5b9a2c4e7d10")


def derived_event_id(kind: str, source_id: str) -> uuid.UUID:
    """A deterministic id for an event derived from another, so redelivery repeats the same id."""
    return uuid.uuid5(_NAMESPACE, f"{kind}:{source_id}")


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Latitude = Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude"), AfterValidator(_finite)]
Longitude = Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude"), AfterValidator(_finite)]


class Channel(StrEnum):
    """Where a report came from (the three information planes)."""

    WEB = "web"
    OPEN311 = "open311"
    OFFICER = "officer"
    POLICE_SYSTEM = "police_system"


class UnroutedReason(StrEnum):
    """Why no unit owns a report's place."""

    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    NO_UNIT_FOR_CELL = "no_unit_for_cell"


class TimeBand(StrEnum):
    """Time-of-day bands of a recurring threat."""

    RANO = "rano"  # 06-10
    DZIEN = "dzien"  # 10-16
    POPOLUDNIE = "popoludnie"  # 16-20
    WIECZOR = "wieczor"  # 20-24
    NOC = "noc"  # 00-06


class Recurrence(BaseModel):
    """When a threat tends to recur."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    time_bands: tuple[TimeBand, ...] = Field(default=(), max_length=5, description="Times of day")
    days_of_week: tuple[Annotated[int, Field(ge=1, le=7)], ...] = Field(
        default=(), max_length=7, description="ISO days of week, 1 = Monday"
    )


class AttachmentRef(BaseModel):
    """A stored attachment of a report (the bytes live in the attachment store)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    attachment_id: str = Field(description="Id in the attachment store")
    content_type: str = Field(description="Type recognised from the content, not the name")
    size: int = Field(ge=0, description="Bytes")
    sha256: str = Field(description="Hex digest of the content")


class OfficerSource(StrEnum):
    """Where an officer learnt of a threat (the second information plane)."""

    KONTAKT_BEZPOSREDNI = "kontakt_bezposredni"
    DEBATA_SPOLECZNA = "debata_spoleczna"
    SAMORZAD = "samorzad"
    ORGANIZACJA_POZARZADOWA = "organizacja_pozarzadowa"


class OfficerEntry(BaseModel):
    """An officer's entry of a threat from direct contacts or a public safety debate."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    officer_id: str = Field(description="The entering officer's id")
    unit_id: str = Field(description="The officer's unit")
    source_type: OfficerSource
    meeting_date: date | None = Field(default=None, description="Date of the debate or meeting")
    participants: int | None = Field(default=None, ge=0, le=100_000, description="People at the meeting")


class StatisticsLayer(StrEnum):
    """Statistics layers kept apart from residents' reports."""

    POLICE_CRIMES = "police_crimes"
    POLICE_OFFENCES = "police_offences"
    SURVEY_SAFETY = "survey_safety"


class Event(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = Field(default=SCHEMA_VERSION, description="Version of this event's schema")
    event_id: uuid.UUID = Field(description="Unique id; consumers are idempotent by it")


class ReportSubmitted(Event):
    """A report was accepted by intake and durably acknowledged by the broker."""

    event_type: Literal["ReportSubmitted"] = "ReportSubmitted"
    report_id: uuid.UUID = Field(description="Id of the report, given by intake")
    category: str = Field(description="Category code from the catalogue")
    lat: Latitude
    lon: Longitude
    description: str | None = Field(default=None, max_length=500, description="Resident's text, plain")
    channel: Channel = Field(description="Information plane and channel of the report")
    occurred_at: AwareDatetime | None = Field(default=None, description="When the threat was seen")
    submitted_at: AwareDatetime = Field(description="When intake accepted the report")
    device_key_hash: str | None = Field(
        default=None, description="Keyed hash (HMAC) of the reporting device; never the raw address"
    )
    recurrence: Recurrence | None = Field(default=None, description="When the threat tends to recur")
    attachments: tuple[AttachmentRef, ...] = Field(default=(), max_length=3, description="Stored attachments")
    officer_entry: OfficerEntry | None = Field(default=None, description="Set for the officers' plane")

    def key(self) -> bytes:
        """Partition key: the report id, which spreads load evenly over partitions."""
        return str(self.report_id).encode()


class H3Cells(BaseModel):
    """H3 cells of a report at the resolutions used downstream."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    routing: str = Field(description="Cell used to find the owning unit")
    dedup: str = Field(description="Cell used to find duplicates of the same threat")
    hotspot: str = Field(description="Cell in which hotspots are counted")


class UnitRef(BaseModel):
    """A police unit in a routing chain."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    unit_id: str = Field(description="Stable unit id, e.g. KMP-1261")
    name_pl: str = Field(description="Polish name of the unit")
    type: str = Field(description="Unit type: KGP, KWP, KSP, KMP, KPP, KRP, KP, PP, RD")


class ReportRouted(Event):
    """A report was placed in H3 cells and given to the unit that owns its place, or explicitly not."""

    event_type: Literal["ReportRouted"] = "ReportRouted"
    report: ReportSubmitted = Field(description="The report as submitted")
    cells: H3Cells
    unit_id: str | None = Field(default=None, description="Most specific owning unit; None when unrouted")
    unit_chain: tuple[UnitRef, ...] = Field(
        default=(), description="Owning unit's chain from the national headquarters down to the unit"
    )
    unrouted_reason: UnroutedReason | None = Field(default=None, description="Why no unit owns the place")
    recipients: tuple[str, ...] = Field(
        default=(),
        description="Who in the owning unit receives the report, by the category's group (the unit's contacts, "
        "as FixMyStreet's per-body contacts); empty when unrouted or routed before this field existed",
    )
    jurisdiction_version: str = Field(description="Version of the jurisdiction index used")
    routed_at: AwareDatetime

    @model_validator(mode="after")
    def _routed_or_explained(self) -> ReportRouted:
        if (self.unit_id is None) == (self.unrouted_reason is None):
            raise ValueError("exactly one of unit_id and unrouted_reason must be set")
        return self

    def key(self) -> bytes:
        """Partition key: the owning unit, or the national fallback queue."""
        return (self.unit_id or FALLBACK_QUEUE_KEY).encode()


class TaskCreated(Event):
    """A verification task was opened for a unit."""

    event_type: Literal["TaskCreated"] = "TaskCreated"
    task_id: uuid.UUID
    report_id: uuid.UUID
    unit_id: str = Field(description="Unit that owns the task, or the fallback queue key")
    category: str
    lat: Latitude
    lon: Longitude
    cell: str = Field(description="Dedup cell of the threat")
    status: TaskStatus = TaskStatus.NOWE
    created_at: AwareDatetime
    unit_chain: tuple[str, ...] = Field(
        default=(), description="Owning unit's chain of unit ids, national headquarters first"
    )

    def key(self) -> bytes:
        """Partition key: the unit, so one unit's feed stays in order."""
        return self.unit_id.encode()


class TaskStatusChanged(Event):
    """A task's verification status changed."""

    event_type: Literal["TaskStatusChanged"] = "TaskStatusChanged"
    task_id: uuid.UUID
    unit_id: str
    from_status: TaskStatus
    to_status: TaskStatus
    changed_by: str = Field(description="Officer id who made the change")
    note: str | None = Field(default=None, max_length=2000)
    changed_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the unit, so one unit's feed stays in order."""
        return self.unit_id.encode()


class ReportMerged(Event):
    """A new report of the same threat joined an open task instead of opening a second one."""

    event_type: Literal["ReportMerged"] = "ReportMerged"
    task_id: uuid.UUID
    report_id: uuid.UUID = Field(description="The report that joined the task")
    unit_id: str
    category: str
    report_count: int = Field(ge=1, description="Reports in the task after the merge")
    merged_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the unit, so one unit's feed stays in order."""
        return self.unit_id.encode()


class TaskAssigned(Event):
    """A task was given to an officer, by the officer's beat or by a coordinator."""

    event_type: Literal["TaskAssigned"] = "TaskAssigned"
    task_id: uuid.UUID
    unit_id: str
    officer_id: str = Field(description="The officer who now holds the task")
    assigned_by: str = Field(description="Coordinator's id, or `beat` for an assignment by the officer's beat")
    assigned_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the unit, so one unit's feed stays in order."""
        return self.unit_id.encode()


class DeadlineKind(StrEnum):
    """The two KMZB deadlines of a task."""

    REVIEW = "review"  # the coordinator opens verification (default 3 days)
    VERIFICATION = "verification"  # the threat is confirmed or not (default 5 days)


class TaskEscalated(Event):
    """A task missed a deadline and went to the parent unit's coordinator."""

    event_type: Literal["TaskEscalated"] = "TaskEscalated"
    task_id: uuid.UUID
    unit_id: str = Field(description="Unit that owns the task")
    escalated_to: str = Field(description="Parent unit whose coordinator now watches the task")
    deadline: DeadlineKind
    due_at: AwareDatetime
    escalated_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the owning unit, so one unit's feed stays in order."""
        return self.unit_id.encode()


class HotspotUpdated(Event):
    """The report count of a cell and category changed."""

    event_type: Literal["HotspotUpdated"] = "HotspotUpdated"
    cell: str = Field(description="H3 cell")
    resolution: int = Field(ge=0, le=15)
    category: str
    unit_id: str | None = Field(
        default=None, description="Unit owning the counted reports; None for reports no unit owns or older events"
    )
    count: int = Field(
        ge=0, description="Reports of the category counted so far in the cell, of those ``unit_id`` owns"
    )
    updated_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the cell."""
        return self.cell.encode()


class ThreatConfirmed(Event):
    """A resident confirmed ("+1") a threat already on the map."""

    event_type: Literal["ThreatConfirmed"] = "ThreatConfirmed"
    task_id: uuid.UUID = Field(description="The threat's task")
    unit_id: str = Field(description="Unit that owns the task")
    device_key_hash: str = Field(description="Keyed hash of the confirming device; one confirmation each")
    confirmed_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the unit, like the tasks."""
        return self.unit_id.encode()


class StatisticRecorded(Event):
    """One imported row of police statistics or survey results (the first information plane)."""

    event_type: Literal["StatisticRecorded"] = "StatisticRecorded"
    record_id: str = Field(description="Stable id of the source row: importing it again gives the same id")
    layer: StatisticsLayer
    category: str = Field(max_length=64, description="Crime/offence category code, or the survey question code")
    occurred_at: AwareDatetime = Field(description="When the offence happened or the survey closed")
    lat: Latitude
    lon: Longitude
    unit_id: str | None = Field(default=None, description="Unit named by the source, if any")
    value: float = Field(default=1.0, description="1 per offence; the score for survey results")
    respondents: int | None = Field(default=None, ge=0, description="Survey respondents")
    source: str = Field(max_length=200, description="Source system or file")
    imported_at: AwareDatetime

    def key(self) -> bytes:
        """Partition key: the record id."""
        return self.record_id.encode()
