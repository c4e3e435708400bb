"""Officers' commands: change a task's status, assign it, set beats, register webhooks."""

from __future__ import annotations

import json
import uuid
from typing import Any

from kmzb_common.auth import Principal, Role
from kmzb_common.mongo import run_db
from kmzb_contracts import Catalogue, TaskAssigned, TaskStatus

from ..adapters.task_store import BeatStore, TaskStore
from ..adapters.webhooks import WebhookStore
from ..domain.errors import InvalidBeat, InvalidNote, StaleVersion, StatusChangedMeanwhile, TaskNotFound
from ..domain.model import Task
from ..domain.partners import Partner, PartnerList, handover_item
from ..domain.task_view import check_status_note
from ..domain.tasks import change_status, invalid_beat_cells
from .access import Access, require_role
from .emitter import Clock, Emitter
from .locks import EditLocks

__all__ = ["Commands", "record_assignment"]


async def record_assignment(tasks: TaskStore, emitter: Emitter, event: TaskAssigned, *, by_name: str) -> Task:
    """Give the task to the event's officer, keep who did it, and emit the event."""
    entry = {
        "event_id": str(event.event_id),
        "officer_id": event.officer_id,
        "by": event.assigned_by,
        "by_name": by_name,
        "at": event.assigned_at,
    }
    updated = await run_db(tasks.assign, str(event.task_id), officer_id=event.officer_id, entry=entry)
    if updated is None:
        raise TaskNotFound()
    await emitter.emit(event, updated)
    return updated


class Commands:
    """What officers and coordinators do to tasks; every change is emitted."""

    def __init__(
        self,
        *,
        tasks: TaskStore,
        beats: BeatStore,
        webhooks: WebhookStore,
        access: Access,
        locks: EditLocks,
        partners: PartnerList,
        catalogue: Catalogue,
        emitter: Emitter,
        clock: Clock,
    ) -> None:
        self.tasks = tasks
        self.locks = locks
        self.partners = partners
        self.catalogue = catalogue
        self.beats = beats
        self.webhooks = webhooks
        self.access = access
        self.emitter = emitter
        self.clock = clock

    async def change_status(
        self,
        principal: Principal,
        task_id: str,
        *,
        target: TaskStatus,
        note: str | None,
        version: int | None = None,
        partner_id: str | None = None,
    ) -> Task:
        """Move a task along the workflow and release the caller's edit lock.

        TaskLocked while another officer edits it, StaleVersion when ``version`` is not the
        task's any more, InvalidTransition for a move the workflow does not allow. A handover
        outside the police names a partner of the task's units (PartnerRequired, PartnerNotFound)
        and is delivered to the partner's webhook, if it has one, by the one webhook delivery.
        """
        require_role(principal, Role.OFFICER, Role.COORDINATOR)
        task = await self.access.task_for(principal, task_id)
        await self.locks.require_free(principal, task)
        if version is not None and version != task.version:
            raise StaleVersion(sent=version, current=task.version)
        now = self.clock()
        current = task.status
        # The move is judged before the note: a forbidden move is a 409 whatever the note says.
        refused: InvalidNote | None = None
        try:
            note = check_status_note(target, note)
        except InvalidNote as exc:
            note, refused = None, exc
        event = change_status(
            task_id=uuid.UUID(task_id),
            unit_id=task.unit_id,
            current=current,
            target=target,
            officer_id=principal.subject,
            note=note,
            now=now,
        )
        if refused is not None:
            raise refused
        partner: Partner | None = None
        delivery_id: str | None = None
        if target is TaskStatus.POTWIERDZONE_PRZEKAZANE:
            partner = self.partners.resolve(task.unit_chain, partner_id)
            if partner.webhook_url:
                recipient = await run_db(
                    self.webhooks.partner_recipient, partner_id=partner.partner_id, url=partner.webhook_url
                )
                delivery_id = self.webhooks.delivery_id(recipient, str(event.event_id))
        entry = {
            "event_id": str(event.event_id),
            "from": current.value,
            "to": target.value,
            "by": principal.subject,
            "by_name": principal.name,
            "at": now,
            "note": note,
        }
        if partner is not None:
            entry["partner"] = {
                "partner_id": partner.partner_id,
                "name_pl": partner.name_pl,
                "kind": partner.kind.value,
            }
            entry["delivery_id"] = delivery_id
        updated = await run_db(
            self.tasks.set_status, task_id, current=current, target=target, entry=entry, at=now, version=version
        )
        if updated is None:
            if version is not None:
                fresh = await self.access.task_for(principal, task_id)
                raise StaleVersion(sent=version, current=fresh.version)
            raise StatusChangedMeanwhile()
        if partner is not None and delivery_id is not None:
            await self._hand_over(updated, partner, event_id=str(event.event_id), note=note, by_name=principal.name)
        await self.emitter.emit(event, updated)
        await self.locks.saved(principal, updated)
        return updated

    async def _hand_over(self, task: Task, partner: Partner, *, event_id: str, note: str | None, by_name: str) -> None:
        """Queue the handover for the partner's webhook (delivered and retried by ``Timers.deliver_webhooks``)."""
        assert partner.webhook_url is not None
        names = next((e.get("unit_names") for e in task.evidence if e.get("unit_names")), None) or {}
        category = self.catalogue.get(task.category)
        data = handover_item(
            task=task,
            partner=partner,
            note=note,
            unit_name=names.get(task.unit_id, task.unit_id),
            category_pl=category.name_pl if category else task.category,
            officer_name=by_name,
            at=self.clock(),
        )
        body = json.dumps({"event_id": event_id, "type": "TaskHandedOver", "data": data}, ensure_ascii=False)
        recipient = await run_db(
            self.webhooks.partner_recipient, partner_id=partner.partner_id, url=partner.webhook_url
        )
        await run_db(self.webhooks.enqueue, recipient, event_id=event_id, body=body, at=self.clock())

    async def assign(self, principal: Principal, task_id: str, *, officer_id: str) -> Task:
        """A coordinator gives the task to an officer; an officer may take it themself."""
        if officer_id == principal.subject:
            require_role(principal, Role.OFFICER, Role.COORDINATOR)
        else:
            require_role(principal, Role.COORDINATOR)
        task = await self.access.task_for(principal, task_id)
        await self.locks.require_free(principal, task)
        event = TaskAssigned(
            event_id=uuid.uuid4(),
            task_id=uuid.UUID(task_id),
            unit_id=task.unit_id,
            officer_id=officer_id,
            assigned_by=principal.subject,
            assigned_at=self.clock(),
        )
        return await record_assignment(self.tasks, self.emitter, event, by_name=principal.name)

    async def set_beat(self, principal: Principal, unit_id: str, officer_id: str, *, cells: list[str]) -> None:
        """A coordinator sets the cells an officer covers in the unit; InvalidBeat for bad cells."""
        require_role(principal, Role.COORDINATOR)
        await self.access.require_unit(principal, unit_id)
        bad = invalid_beat_cells(cells)
        if bad:
            raise InvalidBeat(bad)
        await run_db(self.beats.put, officer_id, unit_id=unit_id, cells=cells)

    async def add_webhook(self, principal: Principal, unit_id: str, *, url: str) -> dict[str, Any]:
        """A coordinator registers an external dispatch system for the unit's items."""
        require_role(principal, Role.COORDINATOR)
        await self.access.require_unit(principal, unit_id)
        doc = await run_db(
            self.webhooks.add_recipient, unit_id=unit_id, url=url, created_by=principal.subject, at=self.clock()
        )
        return {"recipient_id": doc["_id"], "unit_id": unit_id, "url": doc["url"], "created_at": doc["created_at"]}
