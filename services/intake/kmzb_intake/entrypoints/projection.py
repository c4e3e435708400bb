"""Keeps the intake's read models up to date: reports (routed topic) and open threats (tasks topic).

An accepted report is written to the read model by the request that accepted it; should that
write fail, the report still arrives here inside its routed event, which carries it whole.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from kmzb_common.mongo import write_db
from kmzb_common.retry import retry
from kmzb_contracts import (
    DecodeError,
    ReportMerged,
    ReportRouted,
    TaskCreated,
    TaskStatusChanged,
    decode,
    decode_task_event,
)

from ..adapters.report_store import ReportStore
from ..adapters.threats import ThreatStore
from ..settings import IntakeSettings

__all__ = ["run_projection", "apply_message"]

log = logging.getLogger(__name__)


async def run_projection(
    settings: IntakeSettings, *, reports: ReportStore, threats: ThreatStore, ready: asyncio.Event
) -> None:
    """Consume until cancelled; offsets are committed only after the read model was written.

    With the embedded in-process store there is no group: every start replays the topics.
    """
    topics = settings.topics
    group = None if settings.store_is_ephemeral else settings.projection_group_id
    consumer = AIOKafkaConsumer(
        topics.reports_routed,
        topics.tasks,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        session_timeout_ms=int(settings.kafka_session_timeout_s * 1000),
        heartbeat_interval_ms=max(500, int(settings.kafka_session_timeout_s * 100)),
    )
    await retry(consumer.start, on=KafkaError, what="projection consumer start", wait_initial_s=0.5)
    ready.set()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, messages in batches.items():
                for msg in messages:
                    await apply_message(tp.topic, msg.value, settings, reports, threats)
            if batches and group is not None:
                await consumer.commit()
    finally:
        await consumer.stop()


async def apply_message(
    topic: str, value: bytes | None, settings: IntakeSettings, reports: ReportStore, threats: ThreatStore
) -> None:
    """Apply one message of the routed or tasks topic to the read models (idempotent)."""
    try:
        if topic == settings.topics.tasks:
            # Task event types this read model does not use (assignments, escalations) are skipped,
            # and so are types added later, which fail to decode.
            event = decode_task_event(value or b"")
            if isinstance(event, TaskCreated):
                await write_db(threats.record_created, event)
                await write_db(reports.record_task, event)
            elif isinstance(event, TaskStatusChanged):
                await write_db(threats.record_status, event)
                await write_db(reports.record_task_status, event)
            elif isinstance(event, ReportMerged):
                await write_db(threats.record_merged, event)
                await write_db(reports.record_merged, event)
        else:
            await write_db(reports.record_routed, decode(value or b"", ReportRouted))
    except DecodeError as exc:
        # The stream services dead-letter such messages; the read model just skips them.
        log.warning("unreadable message skipped by the read model", extra={"topic": topic, "reason": str(exc)[:300]})
