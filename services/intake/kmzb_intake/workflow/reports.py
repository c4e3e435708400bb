"""The intake's report use cases: accept a report, confirm a threat, find nearby threats, import statistics.

Entrypoints (residents' API, officers' API, Open311, the importer) parse their input and call
these; the order of each use case is what keeps accepted reports from being lost or doubled.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import h3

from kmzb_common.ids import new_uuid4
from kmzb_common.logs import bind_log_context, log_event
from kmzb_common.mongo import run_db
from kmzb_contracts import (
    DEDUP_RESOLUTION,
    AttachmentRef,
    Catalogue,
    Category,
    Channel,
    OfficerEntry,
    Recurrence,
    ReportSubmitted,
    StatisticRecorded,
    StatisticsLayer,
    ThreatConfirmed,
    TopicNames,
    derived_event_id,
)

from ..adapters.attachments import AttachmentStore, StoredAttachment
from ..adapters.guards import DeviceLimiter, Limited
from ..adapters.publisher import EventPublisher
from ..adapters.report_store import ReportStore
from ..adapters.threats import ConfirmationStore, ImportLedger, ThreatStore
from ..domain.attachments import check_attachments_total
from ..domain.emergency import EmergencyDetector
from ..domain.images import strip_metadata
from ..domain.outline import NationalOutline
from ..domain.statistics import RowError, StatisticRow, parse_rows, validate_rows
from ..domain.validation import (
    ReportRejected,
    check_category,
    check_location,
    check_occurred_at,
    normalise_description,
)

__all__ = [
    "Device",
    "ReportDraft",
    "Accepted",
    "RateLimited",
    "ThreatNotFound",
    "AttachmentNotFound",
    "AttachmentForbidden",
    "ImportSummary",
    "IntakeService",
    "LIMITED_CHANNELS",
]

log = logging.getLogger(__name__)

LIMITED_CHANNELS = frozenset({Channel.WEB, Channel.OPEN311})


@dataclass(frozen=True, slots=True)
class Device:
    """Keyed hashes of one device: under the current secret first, then under previous ones."""

    hashes: tuple[str, ...]

    @property
    def current(self) -> str:
        """The hash under the current secret (the one stored in events)."""
        return self.hashes[0]


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """A report as a channel parsed it, before the rules."""

    category: str
    lat: float
    lon: float
    description: str | None = None
    occurred_at: datetime | None = None
    recurrence: Recurrence | None = None
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Accepted:
    """A durably accepted report; ``urgent`` when its text reads like an emergency in progress."""

    report: ReportSubmitted
    urgent: bool


class RateLimited(Exception):
    """The device already reported within the window."""

    def __init__(self, until: datetime, now: datetime) -> None:
        super().__init__("rate limited")
        self.retry_after_s = max(1, int((until - now).total_seconds()) + 1)


class ThreatNotFound(Exception):
    """No open threat with this id."""


class AttachmentNotFound(Exception):
    """No routed report carries a stored file with this id."""


class AttachmentForbidden(Exception):
    """The file belongs to a report outside the caller's units."""


@dataclass
class ImportSummary:
    """What an import did, row by row."""

    rows: int = 0
    published: int = 0
    duplicates: int = 0
    rejected: list[RowError] = field(default_factory=list)


class IntakeService:
    """Every use case of the intake, over ports."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        outline: NationalOutline,
        detector: EmergencyDetector,
        publisher: Callable[[], EventPublisher],
        topics: TopicNames,
        reports: ReportStore,
        limiter: DeviceLimiter,
        attachments: AttachmentStore,
        threats: ThreatStore,
        confirmations: ConfirmationStore,
        ledger: ImportLedger,
        clock: Callable[[], datetime],
        occurred_max_age: timedelta,
        statistics_max_age: timedelta,
        nearby_rings: int,
    ) -> None:
        self.catalogue = catalogue
        self.outline = outline
        self._detector = detector
        self._publisher = publisher
        self._topics = topics
        self.reports = reports
        self._limiter = limiter
        self._attachments = attachments
        self.threats = threats
        self._confirmations = confirmations
        self._ledger = ledger
        self.clock = clock
        self._max_age = occurred_max_age
        self._statistics_max_age = statistics_max_age
        self._rings = nearby_rings

    def check_draft(self, draft: ReportDraft, *, now: datetime) -> tuple[Category, str | None]:
        """The category and the cleaned description, or ReportRejected."""
        category = check_category(self.catalogue, draft.category)
        check_location(self.outline, lat=draft.lat, lon=draft.lon)
        check_occurred_at(draft.occurred_at, now=now, max_age=self._max_age)
        return category, normalise_description(draft.description)

    async def _attachment_refs(self, ids: tuple[str, ...], device: Device | None) -> tuple[AttachmentRef, ...]:
        check_attachments_total([0] * len(ids))
        if len(set(ids)) != len(ids):
            raise ReportRejected(
                "duplicate_attachment", "attachments", "Ten sam plik dołączono dwa razy.", "A file is attached twice."
            )
        metas: list[StoredAttachment] = []
        for attachment_id in ids:
            meta = await run_db(self._attachments.meta, attachment_id)
            if meta is None or (device is not None and meta.owner not in device.hashes):
                raise ReportRejected(
                    "unknown_attachment",
                    "attachments",
                    "Nie znaleziono załącznika. Prześlij plik ponownie.",
                    "Attachment not found. Upload the file again.",
                )
            metas.append(meta)
        check_attachments_total([m.size for m in metas])
        return tuple(
            AttachmentRef(attachment_id=m.attachment_id, content_type=m.content_type, size=m.size, sha256=m.sha256)
            for m in metas
        )

    async def submit(
        self,
        draft: ReportDraft,
        *,
        channel: Channel,
        device: Device | None,
        officer_entry: OfficerEntry | None = None,
        seed: str | None = None,
    ) -> Accepted:
        """Validate, take the device's slot, publish and wait for the broker; undo the slot on failure.

        Raises ReportRejected, RateLimited or BrokerUnavailable; nothing is kept in those cases.
        ``seed`` (from an Idempotency-Key) fixes the report and event ids, so every attempt of one
        request publishes the same event.
        """
        now = self.clock()
        category, description = self.check_draft(draft, now=now)
        attachments = await self._attachment_refs(draft.attachment_ids, device)
        report = ReportSubmitted(
            event_id=derived_event_id("ReportSubmitted", seed) if seed else new_uuid4(),
            report_id=derived_event_id("Report", seed) if seed else new_uuid4(),
            category=category.code,
            lat=draft.lat,
            lon=draft.lon,
            description=description,
            channel=channel,
            occurred_at=draft.occurred_at,
            submitted_at=now,
            device_key_hash=device.current if device else None,
            recurrence=draft.recurrence,
            attachments=attachments,
            officer_entry=officer_entry,
        )
        reservation: str | None = None
        if device is not None and channel in LIMITED_CHANNELS:
            taken = await run_db(self._limiter.reserve, list(device.hashes), now=now)
            if isinstance(taken, Limited):
                raise RateLimited(taken.until, now)
            reservation = taken
        bind_log_context(report_id=report.report_id)
        try:
            await self._publisher().publish(self._topics.reports_submitted, report)
        except BaseException:
            if reservation is not None and device is not None:
                await run_db(self._limiter.release, device.current, reservation)
            raise
        try:
            await run_db(self.reports.record_submitted, report)
        except Exception:  # noqa: BLE001 - the report is durable in Kafka; the read model catches up
            log.exception("read model write failed", extra={"report_id": str(report.report_id)})
        log_event(log, "report accepted", category=report.category, channel=channel.value)
        return Accepted(report=report, urgent=self._detector.matches(description))

    async def store_attachment(self, data: bytes, *, content_type: str, device: Device) -> StoredAttachment:
        """Keep an uploaded file (already checked) for a later report of the same device.

        Photos lose their metadata (GPS, camera) here, before anything is stored: the stored bytes
        and their hash are the stripped ones. ReportRejected for a photo that cannot be read.
        """
        clean = strip_metadata(data, content_type)
        return await run_db(
            self._attachments.put, clean, content_type=content_type, owner=device.current, now=self.clock()
        )

    async def attachment_for(
        self, attachment_id: str, *, may_see: Callable[[list[str]], bool]
    ) -> tuple[StoredAttachment, bytes]:
        """A stored file of a routed report, if ``may_see`` the report's unit chain.

        AttachmentNotFound for an unknown id or a file no routed report carries (yet);
        AttachmentForbidden when the chain is outside the caller's scope.
        """
        chain = await run_db(self.reports.chain_of_attachment, attachment_id)
        if chain is None:
            raise AttachmentNotFound(attachment_id)
        if not may_see(chain):
            raise AttachmentForbidden(attachment_id)
        meta = await run_db(self._attachments.meta, attachment_id)
        data = await run_db(self._attachments.read, attachment_id)
        if meta is None or data is None:
            raise AttachmentNotFound(attachment_id)
        return meta, data

    async def nearby(self, *, lat: float, lon: float, category: str) -> list[dict[str, Any]]:
        """Open threats of the category in the ring of dedup cells around the point."""
        check_category(self.catalogue, category)
        check_location(self.outline, lat=lat, lon=lon)
        cells = h3.grid_disk(h3.latlng_to_cell(lat, lon, DEDUP_RESOLUTION), self._rings)
        return await run_db(self.threats.open_in_cells, list(cells), category)

    async def confirm(self, task_id: uuid.UUID, *, device: Device) -> bool:
        """Publish a "+1" once per device and threat; False when this device had already confirmed."""
        threat = await run_db(self.threats.get_open, str(task_id))
        if threat is None:
            raise ThreatNotFound(str(task_id))
        now = self.clock()
        if not await run_db(self._confirmations.add, str(task_id), list(device.hashes), now=now):
            return False
        event = ThreatConfirmed(
            event_id=derived_event_id("ThreatConfirmed", f"{task_id}|{device.current}"),
            task_id=task_id,
            unit_id=threat["unit_id"],
            device_key_hash=device.current,
            confirmed_at=now,
        )
        try:
            await self._publisher().publish(self._topics.threat_confirmations, event)
        except BaseException:
            await run_db(self._confirmations.remove, str(task_id), device.current)
            raise
        return True

    async def import_statistics(
        self, data: bytes, *, fmt: str, layer: StatisticsLayer, source: str, first_row: int = 1
    ) -> ImportSummary:
        """Validate every row, publish the new ones, skip those imported before; BrokerUnavailable stops it.

        Rows published before a failure are remembered, so a retry publishes only the rest.
        """
        now = self.clock()
        summary = ImportSummary()
        valid: list[StatisticRow] = []
        for outcome in validate_rows(
            parse_rows(data, fmt),
            layer=layer,
            source=source,
            outline=self.outline,
            now=now,
            max_age=self._statistics_max_age,
        ):
            summary.rows += 1
            if isinstance(outcome, RowError):
                summary.rejected.append(
                    RowError(outcome.row + first_row - 1 if outcome.row else 0, outcome.code, outcome.reason)
                )
            else:
                valid.append(outcome)
        known = await run_db(self._ledger.known, [r.record_id for r in valid]) if valid else set()
        for row in valid:
            if row.record_id in known:
                summary.duplicates += 1
                continue
            known.add(row.record_id)
            event = StatisticRecorded(
                event_id=derived_event_id("StatisticRecorded", row.record_id),
                record_id=row.record_id,
                layer=layer,
                category=row.category,
                occurred_at=row.occurred_at,
                lat=row.lat,
                lon=row.lon,
                unit_id=row.unit_id,
                value=row.value,
                respondents=row.respondents,
                source=source,
                imported_at=now,
            )
            await self._publisher().publish(self._topics.statistics, event)
            await run_db(self._ledger.mark, row.record_id, source=source, now=now)
            summary.published += 1
        return summary
