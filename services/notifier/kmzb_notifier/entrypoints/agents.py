"""Stream agents and timers: routed reports and confirmations in; deadlines, outbox and webhooks on timers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import faust
from pymongo.errors import PyMongoError

from kmzb_common.logs import bind_log_context, log_event
from kmzb_common.retry import retry
from kmzb_common.streams import decoded, decoded_batches, raw_topic
from kmzb_contracts import FALLBACK_QUEUE_KEY, ReportRouted, ThreatConfirmed

from ..metrics import CONFIRMATIONS, ESCALATIONS, REPORTS_HANDLED, TIMER_FAILURES, WEBHOOKS_DELIVERED
from ..settings import NotifierSettings
from ..workflow import LatePublisher, Notifier

__all__ = ["register_agents"]

log = logging.getLogger(__name__)

T = TypeVar("T")


async def _until_stored(step: Callable[[], Awaitable[T]]) -> T:
    """Retry an idempotent step while the store is down, so the stream waits and skips nothing."""
    return await retry(step, on=PyMongoError, what="store")


def register_agents(
    app: faust.App, settings: NotifierSettings, *, notifier: Notifier, publisher: LatePublisher
) -> None:
    """Declare the topics, agents and timers on ``app`` and bind the publisher to the tasks topic."""
    topics = settings.topics
    tasks_topic = raw_topic(app, topics.tasks)
    dead_letter_topic = raw_topic(app, topics.dead_letter)

    async def enqueue(key: bytes, value: bytes) -> Awaitable[object]:
        # force: hand it to the producer now, not once the current input is acknowledged.
        return await tasks_topic.send(key=key, value=value, force=True)

    publisher.bind(enqueue)

    @app.agent(raw_topic(app, topics.reports_routed), name="open_tasks")
    async def open_tasks(stream: faust.StreamT[bytes]) -> None:
        source = topics.reports_routed
        async for batch in decoded_batches(
            stream, ReportRouted, dead_letter=dead_letter_topic, source=source, settings=settings
        ):
            # The batch's offsets are acknowledged after its events are: a crash redelivers it.
            async with notifier.emitter.batch():
                for _, routed in batch:
                    bind_log_context(report_id=routed.report.report_id, unit_id=routed.unit_id)
                    outcome = await _until_stored(lambda r=routed: notifier.reports.handle_routed(r))
                    REPORTS_HANDLED.labels(outcome).inc()
                    log_event(log, f"report {outcome}", unit_id=routed.unit_id or FALLBACK_QUEUE_KEY)

    @app.agent(raw_topic(app, topics.threat_confirmations), name="count_confirmations")
    async def count_confirmations(stream: faust.StreamT[bytes]) -> None:
        source = topics.threat_confirmations
        async for confirmed in decoded(stream, ThreatConfirmed, dead_letter=dead_letter_topic, source=source):
            new = await _until_stored(lambda c=confirmed: notifier.reports.handle_confirmation(c))
            CONFIRMATIONS.labels("new" if new else "repeated").inc()

    @app.timer(settings.deadlines.scan_interval_s, name="escalate_overdue")
    async def escalate_overdue() -> None:
        try:
            ESCALATIONS.inc(await notifier.timers.escalate_overdue())
        except Exception:  # noqa: BLE001 - a failed round is retried by the next one
            TIMER_FAILURES.labels("escalate_overdue").inc()
            log.exception("deadline scan failed")

    @app.timer(settings.outbox_relay_interval_s, name="relay_outbox")
    async def relay_outbox() -> None:
        try:
            await notifier.timers.relay_outbox(older_than=timedelta(seconds=settings.outbox_relay_interval_s))
        except Exception:  # noqa: BLE001
            TIMER_FAILURES.labels("relay_outbox").inc()
            log.exception("outbox relay failed")

    @app.timer(settings.webhooks.scan_interval_s, name="deliver_webhooks")
    async def deliver_webhooks() -> None:
        try:
            WEBHOOKS_DELIVERED.inc(await notifier.timers.deliver_webhooks())
        except Exception:  # noqa: BLE001
            TIMER_FAILURES.labels("deliver_webhooks").inc()
            log.exception("webhook delivery round failed")
