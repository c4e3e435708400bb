"""The counting agent: ReportRouted in, regrouped by hotspot cell, counted once per report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import faust
import h3
from prometheus_client import Counter

from kmzb_common.logs import log_event
from kmzb_common.mongo import write_db
from kmzb_common.streams import decoded, raw_topic
from kmzb_contracts import DecodeError, HotspotUpdated, ReportRouted, decode, derived_event_id, encode

from ..adapters.hotspot_store import HotspotStore
from ..domain.hotspots import add_report
from ..settings import StatsSettings

__all__ = ["register_agents"]

log = logging.getLogger(__name__)

COUNTED = Counter("stats_reports_counted_total", "Reports counted into hotspots", ["outcome"])

_UNPARSABLE_KEY = "__unparsable__"


def _hotspot_cell(value: bytes) -> str:
    try:
        return decode(value, ReportRouted).cells.hotspot
    except DecodeError:
        return _UNPARSABLE_KEY


def register_agents(
    app: faust.App,
    settings: StatsSettings,
    *,
    store: HotspotStore,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Declare topics, tables and the counting agent on ``app``; sync the read model after recovery."""
    topics = settings.topics
    hotspots_topic = raw_topic(app, topics.hotspots)
    dead_letter_topic = raw_topic(app, topics.dead_letter)
    cell_to_category_counts = app.Table("cell_to_category_counts", default=dict)
    # Keyed by report id but always written from the partition of the report's cell.
    report_id_to_counted = app.Table("report_id_to_counted", default=bool)

    @app.agent(raw_topic(app, topics.reports_routed), name="count_reports")
    async def count_reports(stream: faust.StreamT[bytes]) -> None:
        by_cell = stream.group_by(_hotspot_cell, name="by-hotspot-cell")
        source = topics.reports_routed
        async for routed in decoded(by_cell, ReportRouted, dead_letter=dead_letter_topic, source=source):
            report_id = str(routed.report.report_id)
            if report_id_to_counted[report_id]:
                COUNTED.labels("redelivered").inc()
                continue
            cell = routed.cells.hotspot
            counts = add_report(cell_to_category_counts[cell], routed.report.category)
            cell_to_category_counts[cell] = counts
            report_id_to_counted[report_id] = True
            category = routed.report.category
            update = HotspotUpdated(
                event_id=derived_event_id("HotspotUpdated", report_id),
                cell=cell,
                resolution=h3.get_resolution(cell),
                category=category,
                count=counts[category],
                updated_at=clock(),
            )
            await hotspots_topic.send(key=update.key(), value=encode(update))
            await write_db(store.put, [(cell, {category: counts[category]})])
            COUNTED.labels("counted").inc()
            log_event(log, "report counted", cell=cell, count=counts[category])

    @app.on_rebalance_complete.connect
    async def _sync_read_model(sender: Any, **_: Any) -> None:
        # After recovery the tables hold the truth; the read model may be empty (embedded store).
        items = [(cell, counts) for cell, counts in cell_to_category_counts.items() if cell != _UNPARSABLE_KEY]
        await write_db(store.put, items)
        log.info("hotspot read model synchronised", extra={"cells": len(items)})
