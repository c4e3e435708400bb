"""The routing agent: ReportSubmitted in, ReportRouted (keyed by unit) out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import faust
from prometheus_client import Counter, Histogram

from kmzb_common.logs import log_event
from kmzb_common.streams import decoded, raw_topic
from kmzb_contracts import ReportSubmitted, encode

from ..domain.jurisdiction import CellResolutions, Jurisdiction
from ..domain.routing import route_report
from ..settings import GeoRouterSettings

__all__ = ["register_agents"]

log = logging.getLogger(__name__)

ROUTED = Counter("georouter_reports_routed_total", "Reports routed", ["outcome"])
DUPLICATES = Counter("georouter_redeliveries_skipped_total", "Redelivered reports skipped")
LATENCY = Histogram(
    "georouter_submit_to_route_seconds",
    "Time from intake acceptance to routing",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def register_agents(
    app: faust.App,
    settings: GeoRouterSettings,
    *,
    jurisdiction: Callable[[], Jurisdiction],
    resolutions: CellResolutions,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Declare the topics, the dedup table and the routing agent on ``app``."""
    topics = settings.topics
    routed_topic = raw_topic(app, topics.reports_routed)
    dead_letter_topic = raw_topic(app, topics.dead_letter)
    # Co-partitioned with the submitted topic (keyed by report id): redelivered reports are skipped.
    report_id_to_routed_event = app.Table("report_id_to_routed_event", default=None, value_type=str)

    @app.agent(raw_topic(app, topics.reports_submitted), name="route_reports")
    async def route_reports(stream: faust.StreamT[bytes]) -> None:
        source = topics.reports_submitted
        async for report in decoded(stream, ReportSubmitted, dead_letter=dead_letter_topic, source=source):
            report_id = str(report.report_id)
            if report_id_to_routed_event.get(report_id) is not None:
                DUPLICATES.inc()
                continue
            now = clock()
            routed = route_report(report, jurisdiction=jurisdiction(), resolutions=resolutions, now=now)
            await routed_topic.send(key=routed.key(), value=encode(routed))
            report_id_to_routed_event[report_id] = str(routed.event_id)
            ROUTED.labels("routed" if routed.unit_id else "unrouted").inc()
            LATENCY.observe(max(0.0, (now - report.submitted_at).total_seconds()))
            log_event(log, "report routed", unit_id=routed.unit_id, reason=routed.unrouted_reason)
