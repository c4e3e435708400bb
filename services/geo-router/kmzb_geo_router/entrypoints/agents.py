"""The routing agent: ReportSubmitted in, ReportRouted (keyed by unit) out."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import faust

from kmzb_common.clock import Clock, utc_now
from kmzb_common.logs import bind_log_context, log_event
from kmzb_common.streams import decoded_batches, raw_topic, until_acked
from kmzb_contracts import ReportSubmitted, encode

from ..adapters.index_topic import follow_index
from ..adapters.jurisdiction_files import JurisdictionHolder
from ..adapters.routed_tail import recent_routed_report_ids
from ..domain.jurisdiction import CellResolutions, JurisdictionError
from ..domain.recent import RecentIds
from ..domain.routing import route_report
from ..metrics import DUPLICATES, INDEX_SWAPS, LATENCY, ROUTED
from ..settings import GeoRouterSettings

__all__ = ["register_agents"]

log = logging.getLogger(__name__)


def register_agents(
    app: faust.App,
    settings: GeoRouterSettings,
    *,
    jurisdiction: JurisdictionHolder,
    resolutions: CellResolutions,
    clock: Clock = utc_now,
) -> None:
    """Declare the topics and the routing agent on ``app``."""
    topics = settings.topics
    routed_topic = raw_topic(app, topics.reports_routed)
    dead_letter_topic = raw_topic(app, topics.dead_letter)
    # Reports this worker routed or found in the routed topic's tail: a resent report is skipped.
    # Offsets not yet committed when a worker stops are delivered again, to it or to another
    # worker; after every rebalance the worker reads the routed topic's tail before routing again,
    # so those reports are recognised instead of being routed twice. Bounded: a copy arriving
    # after more than ``recent_reports`` others is routed again under the same event id, which
    # every consumer skips.
    recently_routed = RecentIds(settings.recent_reports)
    tail_read = asyncio.Event()
    reader: dict[str, asyncio.Task[None]] = {}

    async def read_tail() -> None:
        try:
            recent = await asyncio.wait_for(
                recent_routed_report_ids(
                    settings.kafka_bootstrap,
                    topics.reports_routed,
                    per_partition=settings.redelivery_window,
                    fetch_wait_ms=settings.kafka_fetch_max_wait_ms,
                ),
                timeout=settings.redelivery_read_timeout_s,
            )
            recently_routed.update(recent)
            log.info("routed topic tail read", extra={"report_ids": len(recent)})
        except Exception as exc:  # noqa: BLE001 - at-least-once: routing goes on, a duplicate is possible
            log.error("routed topic tail unreadable", extra={"error": repr(exc)})
        tail_read.set()

    def stop_reader() -> None:
        task = reader.pop("task", None)
        if task is not None and not task.done():
            task.cancel()

    # The tail is read in a task of its own: faust awaits these signal handlers inside its
    # rebalance and recovery, which must not wait for a network read.
    async def _on_revoked(*_: object, **__: object) -> None:
        stop_reader()
        tail_read.clear()

    async def _on_rebalanced(*_: object, **__: object) -> None:
        stop_reader()
        tail_read.clear()
        reader["task"] = asyncio.ensure_future(read_tail())

    async def tail_known() -> None:
        # A revocation clears the flag; if no completed rebalance follows (a second one can cut
        # the first short), the agent starts the read itself instead of waiting for ever.
        while not tail_read.is_set():
            task = reader.get("task")
            if task is None or task.done():
                reader["task"] = asyncio.ensure_future(read_tail())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tail_read.wait(), timeout=1.0)

    app.on_partitions_revoked.connect(_on_revoked)
    app.on_rebalance_complete.connect(_on_rebalanced)

    @app.agent(raw_topic(app, topics.reports_submitted), name="route_reports")
    async def route_reports(stream: faust.StreamT[bytes]) -> None:
        source = topics.reports_submitted
        async for batch in decoded_batches(
            stream, ReportSubmitted, dead_letter=dead_letter_topic, source=source, settings=settings
        ):
            await tail_known()
            now = clock()
            index = jurisdiction.current()
            in_flight = []
            for _, report in batch:
                report_id = str(report.report_id)
                if report_id in recently_routed:
                    DUPLICATES.inc()
                    continue
                recently_routed.add(report_id)
                routed = route_report(report, jurisdiction=index, resolutions=resolutions, now=now)
                value = encode(routed)
                in_flight.append((report, routed, value, await routed_topic.send(key=routed.key(), value=value)))
            # The batch's offsets are acknowledged only after the broker acknowledged its routed
            # events: a crash in between resends (at-least-once), never loses a routed event.
            for report, routed, value, ack in in_flight:
                await until_acked(ack, lambda r=routed, v=value: routed_topic.send(key=r.key(), value=v))
                ROUTED.labels("routed" if routed.unit_id else "unrouted").inc()
                LATENCY.observe(max(0.0, (now - report.submitted_at).total_seconds()))
                bind_log_context(report_id=report.report_id, unit_id=routed.unit_id)
                log_event(log, "report routed", unit_id=routed.unit_id, reason=routed.unrouted_reason)

    def on_index(data: bytes) -> None:
        try:
            swapped = jurisdiction.accept(data)
        except JurisdictionError as exc:
            INDEX_SWAPS.labels("rejected").inc()
            log.error("published jurisdiction index rejected", extra={"error": str(exc)[:500]})
            return
        INDEX_SWAPS.labels("swapped" if swapped else "unchanged").inc()
        if swapped:
            log.info("jurisdiction index swapped in", extra={"version": jurisdiction.current().version})

    @app.task
    async def follow_published_index() -> None:
        await follow_index(
            settings.kafka_bootstrap, settings.index_topic, on_index, fetch_wait_ms=settings.kafka_fetch_max_wait_ms
        )
