"""Routed reports and residents' confirmations from the broker: open, merge, count, assign by beat."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from kmzb_common.mongo import run_db
from kmzb_contracts import (
    Event,
    ReportMerged,
    ReportRouted,
    TaskAssigned,
    ThreatConfirmed,
    decode_task_event,
    derived_event_id,
)

from ..adapters.task_store import BeatStore, TaskStore
from ..domain.deadlines import DeadlinePolicy, due_dates, policy_for
from ..domain.model import Task
from ..domain.tasks import evidence_of, merge_cells, merge_report, new_task, open_task
from ..settings import DeadlineSettings
from .commands import record_assignment
from .emitter import Clock, Emitter

__all__ = ["Reports"]

log = logging.getLogger(__name__)


def _merged(routed: ReportRouted, task: Task, *, now: datetime) -> ReportMerged:
    return merge_report(
        routed, task_id=uuid.UUID(task.task_id), unit_id=task.unit_id, report_count=task.report_count, now=now
    )


class Reports:
    """One task per threat: a routed report opens a task or joins the open one of the same threat."""

    def __init__(
        self, *, tasks: TaskStore, beats: BeatStore, emitter: Emitter, deadlines: DeadlineSettings, clock: Clock
    ) -> None:
        self.tasks = tasks
        self.beats = beats
        self.emitter = emitter
        self.clock = clock
        self._default_policy = DeadlinePolicy(
            timedelta(seconds=deadlines.review_s), timedelta(seconds=deadlines.verification_s)
        )
        self._unit_policies = {
            unit: DeadlinePolicy(timedelta(seconds=o.review_s), timedelta(seconds=o.verification_s))
            for unit, o in deadlines.per_unit.items()
        }

    async def handle_routed(self, routed: ReportRouted) -> str:
        """Open a task for the report, or merge it into the open task of the same threat."""
        now = self.clock()
        report_id = str(routed.report.report_id)
        created = open_task(routed, now=now)
        existing = await run_db(self.tasks.task_of_report, report_id)
        if existing is not None:
            # Redelivery: emit again what the first delivery emitted (same ids), in case it crashed
            # before or while emitting; rebuilt from the task when the outbox never got it.
            first = existing.task_id == str(created.task_id)
            event_id = str(created.event_id if first else derived_event_id("ReportMerged", report_id))
            kept = await run_db(self.emitter.outbox.get, event_id)
            if kept is not None:
                again: Event = decode_task_event(kept["value"])
            elif first:
                again = open_task(routed, now=existing.created_at)
            else:
                again = _merged(routed, existing, now=now)
            await self.emitter.emit(again, existing)
            return "redelivered"

        match = await run_db(
            self.tasks.open_match, unit_id=created.unit_id, category=created.category, cells=merge_cells(created.cell)
        )
        if match is not None:
            merged = await run_db(
                self.tasks.merge, match.task_id, report_id=report_id, evidence=evidence_of(routed), at=now
            )
            task = merged or match
            await self.emitter.emit(_merged(routed, task, now=now), task)
            return "merged"

        policy = policy_for(created.unit_chain, default=self._default_policy, per_unit=self._unit_policies)
        task = new_task(created, evidence=evidence_of(routed), due=due_dates(created.created_at, policy), now=now)
        await run_db(self.tasks.insert, task)
        await run_db(self.tasks.recount_confirmations, task.task_id)
        await self.emitter.emit(created, task)
        officer = await run_db(self.beats.officer_for, created.unit_id, created.cell)
        if officer is not None:
            event = TaskAssigned(
                event_id=derived_event_id("TaskAssigned", f"{created.task_id}:beat"),
                task_id=created.task_id,
                unit_id=created.unit_id,
                officer_id=officer,
                assigned_by="beat",
                assigned_at=now,
            )
            await record_assignment(self.tasks, self.emitter, event, by_name="rejon służbowy")
        return "opened"

    async def handle_confirmation(self, confirmed: ThreatConfirmed) -> bool:
        """Count a resident's "+1" once per device; True when it was new."""
        task_id = str(confirmed.task_id)
        new, count = await run_db(
            self.tasks.confirm, task_id, device_key_hash=confirmed.device_key_hash, at=confirmed.confirmed_at
        )
        task = await run_db(self.tasks.get, task_id)
        if task is None:
            log.warning("confirmation of an unknown task kept", extra={"task_id": task_id})
            return new
        data = {
            "event_type": "ThreatConfirmed",
            "task_id": task_id,
            "unit_id": task.unit_id,
            "confirmation_count": count,
            "confirmed_at": confirmed.confirmed_at.isoformat(),
        }
        # Already on the broker: only the feeds and webhooks learn of it here.
        await self.emitter.distribute(str(confirmed.event_id), "ThreatConfirmed", data, task)
        return new
