"""Stream agents of stats: routed reports and imported statistics counted per cell and hour, task outcomes.

Counts live in faust tables with changelogs (a restarted worker recovers them) as hourly buckets
per cell; the 1-hour, 7-day and 28-day windows are sums over those buckets (domain.windows), so
they are exact and roll over with the clock. Each input is counted once by its id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import faust
import h3
from faust.types import EventT

from kmzb_common.logs import bind_log_context, log_event
from kmzb_common.mongo import write_db
from kmzb_common.streams import (
    InputContinuity,
    decoded,
    decoded_batches,
    raw_batches,
    raw_topic,
    send_dead_letter,
    within_event,
)
from kmzb_contracts import (
    DecodeError,
    HotspotUpdated,
    ReportRouted,
    StatisticRecorded,
    TaskCreated,
    TaskStatus,
    TaskStatusChanged,
    decode_task_event,
    derived_event_id,
    encode,
    load_catalogue,
)
from kmzb_contracts.cells import HOTSPOT_RESOLUTION

from ..adapters.hotspot_store import HotspotStore
from ..adapters.stats_store import StatsStore
from ..domain.cells import CellEntry, Counted
from ..domain.counts import NO_UNIT, Bucket, Layer
from ..domain.patrols import Elimination, Sighting, time_band
from ..domain.windows import hour_of
from ..metrics import COUNTED, LAG, LATENCY, REPORTS, STATISTICS, STATUSES
from ..settings import StatsSettings
from .read_model_sync import BackgroundSync

__all__ = ["register_agents", "voivodeship_label", "category_label"]

log = logging.getLogger(__name__)

_UNPARSABLE_KEY = "__unparsable__"
_OTHER = "other"
_NONE = "none"


def voivodeship_label(chain_ids: list[str]) -> str:
    """The voivodeship command of a unit chain (KWP-xx or KSP), a bounded label."""
    for unit_id in chain_ids:
        if unit_id == "KSP" or (unit_id.startswith("KWP-") and len(unit_id) == 6 and unit_id[4:].isdigit()):
            return unit_id
    return _NONE


def category_label(category: str) -> str:
    """The category as a label if it is in the catalogue, else ``other`` (bounded)."""
    return category if load_catalogue().get(category) is not None else _OTHER


_FOLLOWED_TASK_EVENTS = frozenset({"TaskCreated", "TaskStatusChanged"})


def _other_task_event(value: bytes) -> bool:
    """Whether a tasks-topic message names another event type: others may share the topic, stats skips them."""
    try:
        raw = json.loads(value)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    kind = raw.get("event_type") if isinstance(raw, dict) else None
    return isinstance(kind, str) and bool(kind) and kind not in _FOLLOWED_TASK_EVENTS


def unit_cell_key(unit_id: str | None, cell: str) -> str:
    """The table key of a unit's part of a cell (residents' reports)."""
    return f"{unit_id or NO_UNIT}|{cell}"


def split_unit_cell_key(key: str) -> tuple[str | None, str]:
    """(unit id or None, cell) of a table key; a bare cell key (imported statistics) has no unit."""
    unit, sep, cell = key.rpartition("|")
    return (unit if sep and unit != NO_UNIT else None), cell


def _statistic_cell(value: bytes) -> str:
    # The repartition key only: the record itself is decoded (and validated) once, downstream.
    try:
        raw = json.loads(value)
        lat, lon = float(raw["lat"]), float(raw["lon"])
        return h3.latlng_to_cell(lat, lon, HOTSPOT_RESOLUTION)
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError, h3.H3BaseException):
        return _UNPARSABLE_KEY


def _sighting(routed: ReportRouted) -> Sighting:
    report = routed.report
    at = report.occurred_at or report.submitted_at
    declared = report.recurrence.time_bands if report.recurrence else ()
    return Sighting(
        report_id=str(report.report_id),
        category=report.category,
        hotspot_cell=routed.cells.hotspot,
        dedup_cell=routed.cells.dedup,
        unit_id=routed.unit_id,
        at=at,
        bands=tuple(declared) or (time_band(at),),
    )


def _elimination(task_id: str, place: dict[str, Any]) -> Elimination:
    return Elimination(
        task_id=task_id,
        category=place["category"],
        dedup_cell=place["cell"],
        unit_id=place["unit_id"],
        eliminated_at=datetime.fromisoformat(place["eliminated_at"]),
    )


def _seconds_since(moment: datetime, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds())


def register_agents(
    app: faust.App,
    settings: StatsSettings,
    *,
    store: HotspotStore,
    stats_store: StatsStore,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[], Awaitable[None]]:
    """Declare topics, tables and agents on ``app``; sync the read models after recovery.

    Returns a readiness check that fails until the read models were first rebuilt from the tables.
    """
    topics = settings.topics
    hotspots_topic = raw_topic(app, topics.hotspots)
    dead_letter_topic = raw_topic(app, topics.dead_letter)
    # Value: a CellEntry (domain.cells) as data: counts, all-time totals and the ids counted into
    # them, in one record. Residents' reports are kept per (owning unit, cell), keyed
    # "<unit id>|<cell>", and counted straight from kmzb.reports.routed.v1, which is keyed by unit:
    # each key is written from one partition, with no repartition hop between the input and the
    # count (see the stats README: the hop lost reports under faults). Imported statistics are
    # kept per cell, keyed "<cell>", after their own repartition by cell.
    cell_to_hourly_buckets = app.Table("cell_to_hourly_buckets", default=dict)
    # Keyed by task id, written from the unit's partition (both task events are keyed by unit).
    task_id_to_place = app.Table("task_id_to_place", default=dict)
    # "<topic>:<partition>" to the next offset to handle: records a consumer jumps over are read back.
    continuity = InputContinuity(app.Table("input_partition_to_next_offset"))
    unit_to_voivodeship: dict[str, str] = {}

    def count_into(entry: CellEntry, bucket: Bucket, value: float, chain: list[str], **kw: Any) -> Counted | None:
        return entry.count(
            bucket, value, chain, now_hour=hour_of(clock()), retention_hours=settings.retention_hours, **kw
        )

    @app.agent(raw_topic(app, topics.reports_routed), name="count_reports")
    async def count_reports(stream: faust.StreamT[bytes]) -> None:
        source = topics.reports_routed
        async for batch in decoded_batches(
            stream, ReportRouted, dead_letter=dead_letter_topic, source=source, settings=settings, continuity=continuity
        ):
            # Entries change in memory through the batch and are written once per key at its end,
            # each from its own event's partition; the batch is acknowledged after that.
            entries: dict[str, tuple[EventT, CellEntry]] = {}
            bucket_docs: list[tuple[str, dict[str, float], Mapping[str, Sequence[str]]]] = []
            sightings: list[tuple[Sighting, list[str]]] = []
            totals: dict[tuple[str, str | None], dict[str, int]] = {}
            updates: list[HotspotUpdated] = []
            now = clock()
            for event, routed in batch:
                report_id = str(routed.report.report_id)
                cell = routed.cells.hotspot
                key = unit_cell_key(routed.unit_id, cell)
                category = routed.report.category
                chain = [u.unit_id for u in routed.unit_chain]
                sighting = _sighting(routed)
                bucket = Bucket(Layer.REPORTS, category, routed.unit_id, hour_of(sighting.at))
                before = entries[key][1] if key in entries else CellEntry.from_value(cell_to_hourly_buckets[key])
                counted = count_into(before, bucket, 1.0, chain, counted_id=f"r:{report_id}", sighting=sighting)
                if counted is None:
                    COUNTED.labels("redelivered").inc()
                    continue
                entries[key] = (event, counted.entry)
                bucket_docs.append((cell, counted.changed_buckets, counted.entry.chains))
                sightings.append((sighting, chain))
                totals.setdefault((cell, routed.unit_id), {}).update(counted.changed_totals)
                count = counted.entry.totals[category]
                updates.append(
                    HotspotUpdated(
                        event_id=derived_event_id("HotspotUpdated", report_id),
                        cell=cell,
                        resolution=h3.get_resolution(cell),
                        category=category,
                        unit_id=routed.unit_id,
                        count=count,
                        updated_at=now,
                    )
                )
                voivodeship = voivodeship_label(chain)
                if routed.unit_id:
                    unit_to_voivodeship[routed.unit_id] = voivodeship
                COUNTED.labels("counted").inc()
                REPORTS.labels(category_label(category), voivodeship).inc()
                LATENCY.labels(source).observe(_seconds_since(routed.routed_at, now))
                bind_log_context(report_id=report_id, unit_id=routed.unit_id)
                log_event(log, "report counted", cell=cell, count=count)
            for key, (event, entry) in entries.items():
                with within_event(event):
                    cell_to_hourly_buckets[key] = entry.to_value()
            for update in updates:
                await hotspots_topic.send(key=update.key(), value=encode(update))
            await write_db(stats_store.put_many, bucket_docs)
            await write_db(stats_store.put_sightings, sightings)
            await write_db(store.put, [(cell, unit, counts) for (cell, unit), counts in totals.items()])

    @app.agent(raw_topic(app, topics.statistics), name="count_statistics")
    async def count_statistics(stream: faust.StreamT[bytes]) -> None:
        by_cell = stream.group_by(_statistic_cell, name="by-statistic-cell")
        source = topics.statistics
        async for record in decoded(by_cell, StatisticRecorded, dead_letter=dead_letter_topic, source=source):
            layer = Layer(str(record.layer))
            cell = h3.latlng_to_cell(record.lat, record.lon, HOTSPOT_RESOLUTION)
            bucket = Bucket(layer, record.category, record.unit_id, hour_of(record.occurred_at))
            chain = [record.unit_id] if record.unit_id else []
            before = CellEntry.from_value(cell_to_hourly_buckets[cell])
            counted = count_into(before, bucket, record.value, chain, counted_id=f"s:{record.record_id}")
            if counted is None:
                STATISTICS.labels(str(layer), "redelivered").inc()
                continue
            cell_to_hourly_buckets[cell] = counted.entry.to_value()
            await write_db(stats_store.put_buckets, cell, counted.changed_buckets, counted.entry.chains)
            STATISTICS.labels(str(layer), "counted").inc()
            LATENCY.labels(source).observe(_seconds_since(record.imported_at, clock()))

    @app.agent(raw_topic(app, topics.tasks), name="follow_tasks")
    async def follow_tasks(stream: faust.StreamT[bytes]) -> None:
        async for raw in raw_batches(stream, settings=settings, continuity=continuity):
            for event, value in raw:
                # Table writes go to the partition of the message's own unit.
                with within_event(event):
                    await follow(value)

    async def follow(value: bytes) -> None:
        """Follow one message of the tasks topic: a task created, or entering a status."""
        source = topics.tasks
        try:
            event = decode_task_event(value)
        except DecodeError as exc:
            if not _other_task_event(value):
                await send_dead_letter(dead_letter_topic, value=value, reason=str(exc), source=source)
            return
        task_id = str(event.task_id)
        if isinstance(event, TaskCreated):
            if not task_id_to_place[task_id]:
                place = {"category": event.category, "cell": event.cell, "statuses": [str(event.status)]}
                task_id_to_place[task_id] = place
                voivodeship = unit_to_voivodeship.get(event.unit_id, _NONE)
                STATUSES.labels(str(event.status), category_label(event.category), voivodeship).inc()
            LATENCY.labels(source).observe(_seconds_since(event.created_at, clock()))
            return
        if not isinstance(event, TaskStatusChanged):
            return  # merges, assignments and escalations change no place's statuses
        place = task_id_to_place[task_id]
        if not place:
            log.warning("status change of a task stats never saw created", extra={"task_id": task_id})
            return
        # A task enters each status at most once (the workflow has no cycles): a repeat is a redelivery.
        if str(event.to_status) in place["statuses"]:
            return
        place = {**place, "statuses": [*place["statuses"], str(event.to_status)]}
        if event.to_status == TaskStatus.POTWIERDZONE_WYELIMINOWANE:
            place["unit_id"] = event.unit_id
            place["eliminated_at"] = event.changed_at.isoformat()
        task_id_to_place[task_id] = place
        voivodeship = unit_to_voivodeship.get(event.unit_id, _NONE)
        STATUSES.labels(str(event.to_status), category_label(place["category"]), voivodeship).inc()
        if event.to_status == TaskStatus.POTWIERDZONE_WYELIMINOWANE:
            await write_db(stats_store.put_elimination, _elimination(task_id, place))
        LATENCY.labels(source).observe(_seconds_since(event.changed_at, clock()))

    @app.timer(interval=settings.lag_interval_s)
    async def measure_lag() -> None:
        consumer = app.consumer
        lag: dict[str, int] = {t: 0 for t in (topics.reports_routed, topics.statistics, topics.tasks)}
        try:
            for tp in consumer.assignment():
                if tp.topic not in lag:
                    continue
                position = await consumer.position(tp)
                if position is not None:
                    lag[tp.topic] += max(0, consumer.highwater(tp) - position)
        except Exception as exc:  # noqa: BLE001 - a metric must never stop the worker (e.g. mid-rebalance)
            log.warning("consumer lag not measured", extra={"error": str(exc)[:300]})
            return
        for topic, value in lag.items():
            LAG.labels(topic).set(value)

    @app.timer(interval=3600.0)
    async def expire_buckets() -> None:
        await write_db(stats_store.delete_before, hour_of(clock()) - settings.retention_hours)

    async def sync_read_models() -> None:
        # After recovery the tables hold the truth; the read model may be empty (embedded store).
        # Called after each table's recovery (faust applies the changelog first) and after a
        # rebalance that needed none; the writes are absolute, so repeating them is harmless.
        entries = [
            (*split_unit_cell_key(key), CellEntry.from_value(value))
            for key, value in cell_to_hourly_buckets.items()
            if key != _UNPARSABLE_KEY
        ]
        await write_db(store.put, [(cell, unit, entry.totals) for unit, cell, entry in entries if entry.totals])
        await write_db(stats_store.put_many, [(cell, entry.buckets, entry.chains) for _, cell, entry in entries])
        sightings = [s for _, cell, entry in entries for s in entry.sighting_list(cell)]
        await write_db(stats_store.put_sightings, sightings)
        eliminated = [_elimination(t, p) for t, p in task_id_to_place.items() if "eliminated_at" in p]
        await write_db(stats_store.put_eliminations, eliminated)
        log.info(
            "stats read models synchronised",
            extra={
                "cells": len(entries),
                "sightings": len(sightings),
                "tasks": len(task_id_to_place),
                "eliminations": len(eliminated),
            },
        )

    syncing = BackgroundSync(sync_read_models, what="stats read models")
    for table in (cell_to_hourly_buckets, task_id_to_place):
        table.on_recover(syncing.request)
    app.on_rebalance_complete.connect(syncing.request)
    return syncing.check
