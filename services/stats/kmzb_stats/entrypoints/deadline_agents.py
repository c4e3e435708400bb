"""Stream agent of the deadline figures: task events folded into one timeline per task.

The tasks topic is keyed by unit, so every event of a task comes from one partition and the
timeline (in the table ``task_id_to_timeline``, with a changelog) is written from that partition.
Each event is applied once by its event id (``domain.deadlines.apply_event``): at-least-once
delivery and read-backs of jumped offsets change nothing twice. The read model (``task_timelines``)
is written after each batch and rebuilt from the table after a recovery. Unreadable messages are
left to the ``follow_tasks`` agent, which sends them to the dead-letter topic once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import faust
from prometheus_client import Counter

from kmzb_common.mongo import write_db
from kmzb_common.streams import InputContinuity, raw_batches, raw_topic, within_event
from kmzb_contracts import DecodeError, TaskCreated, TaskStatusChanged, decode_task_event

from ..adapters.deadline_store import DeadlineStore
from ..domain.deadlines import TaskTimeline, apply_event
from ..settings import StatsSettings
from .read_model_sync import BackgroundSync

__all__ = ["register_deadline_agents"]

log = logging.getLogger(__name__)

TIMELINE_EVENTS = Counter(
    "stats_task_timeline_events_total", "Task events folded into the deadline timelines", ["outcome"]
)


def register_deadline_agents(
    app: faust.App, settings: StatsSettings, *, store: DeadlineStore
) -> Callable[[], Awaitable[None]]:
    """Declare the timeline table and agent on ``app``; returns a readiness check of the read model's first sync."""
    task_id_to_timeline = app.Table("task_id_to_timeline", default=dict)
    # Its own next offsets: this agent reads the tasks topic beside follow_tasks, each at its own pace.
    continuity = InputContinuity(app.Table("deadline_input_partition_to_next_offset"))

    @app.agent(raw_topic(app, settings.topics.tasks), name="follow_deadlines")
    async def follow_deadlines(stream: faust.StreamT[bytes]) -> None:
        async for raw in raw_batches(stream, settings=settings, continuity=continuity):
            changed: dict[str, TaskTimeline] = {}
            for event, value in raw:
                try:
                    task_event = decode_task_event(value)
                except DecodeError:
                    TIMELINE_EVENTS.labels("unreadable").inc()
                    continue
                if not isinstance(task_event, TaskCreated | TaskStatusChanged):
                    continue
                key = str(task_event.task_id)
                before = changed.get(key)
                if before is None and (stored := task_id_to_timeline[key]):
                    before = TaskTimeline.from_value(stored)
                after = apply_event(before, task_event)
                if after is None:
                    TIMELINE_EVENTS.labels("unchanged").inc()
                    continue
                changed[key] = after
                with within_event(event):
                    task_id_to_timeline[key] = after.to_value()
                TIMELINE_EVENTS.labels("applied").inc()
            if changed:
                await write_db(store.put, list(changed.values()))

    async def sync_read_model() -> None:
        timelines = [TaskTimeline.from_value(v) for v in list(task_id_to_timeline.values()) if v]
        await write_db(store.put, timelines)
        log.info("task timelines read model synchronised", extra={"tasks": len(timelines)})

    syncing = BackgroundSync(sync_read_model, what="task timelines read model")
    task_id_to_timeline.on_recover(syncing.request)
    app.on_rebalance_complete.connect(syncing.request)
    return syncing.check
