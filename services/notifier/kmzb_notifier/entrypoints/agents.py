"""The task agent: ReportRouted in, a task per report stored and TaskCreated published."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import faust
from prometheus_client import Counter

from kmzb_common.logs import log_event
from kmzb_common.mongo import write_db
from kmzb_common.streams import decoded, raw_topic
from kmzb_contracts import ReportRouted, encode

from ..adapters.task_store import TaskStore
from ..domain.tasks import open_task
from ..settings import NotifierSettings

__all__ = ["register_agents"]

log = logging.getLogger(__name__)

TASKS_OPENED = Counter("notifier_tasks_opened_total", "Tasks opened", ["outcome"])


def register_agents(
    app: faust.App,
    settings: NotifierSettings,
    *,
    store: TaskStore,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Declare the topics and the task agent on ``app``."""
    topics = settings.topics
    tasks_topic = raw_topic(app, topics.tasks)
    dead_letter_topic = raw_topic(app, topics.dead_letter)

    @app.agent(raw_topic(app, topics.reports_routed), name="open_tasks")
    async def open_tasks(stream: faust.StreamT[bytes]) -> None:
        source = topics.reports_routed
        async for routed in decoded(stream, ReportRouted, dead_letter=dead_letter_topic, source=source):
            task = open_task(routed, now=clock())
            new = await write_db(store.add, task)
            # Published on redelivery too: the event id is derived, so feeds drop the repeat.
            await tasks_topic.send(key=task.key(), value=encode(task))
            TASKS_OPENED.labels("new" if new else "redelivered").inc()
            log_event(
                log, "task opened" if new else "task already open", unit_id=task.unit_id, task_id=str(task.task_id)
            )
