"""The officer console's use cases on one task: its whole view, internal notes, who can take it, its card.

Built over the notifier's use cases (scope checks, assignment, events) and stores; internal notes
stay in the store and the officers' feeds, never in public outputs or webhooks.
"""

from __future__ import annotations

import uuid
from typing import Any

from kmzb_common.auth import Principal, Role
from kmzb_common.clock import Clock
from kmzb_common.mongo import run_db
from kmzb_contracts import STATUS_LABELS_PL, Catalogue, TaskStatus

from ..adapters.card_pdf import CardLine, VerificationCard, local_time, render_card
from ..adapters.feed_store import FeedStore, unit_feed
from ..adapters.officers import Officer, OfficerDirectory
from ..adapters.task_store import BeatStore, TaskStore
from ..domain.errors import OfficerNotFound, TaskNotFound
from ..domain.locks import EditLock
from ..domain.model import Task
from ..domain.partners import Partner
from ..domain.task_view import allowed_moves, check_note, timeline
from .access import Access, require_role
from .commands import Commands
from .locks import EditLocks

__all__ = ["TaskDesk"]


class TaskDesk:
    """Reading and working one task from the console."""

    def __init__(
        self,
        *,
        tasks: TaskStore,
        beats: BeatStore,
        feeds: FeedStore,
        access: Access,
        commands: Commands,
        locks: EditLocks,
        officers: OfficerDirectory,
        catalogue: Catalogue,
        clock: Clock,
    ) -> None:
        self.tasks = tasks
        self.beats = beats
        self.feeds = feeds
        self.access = access
        self.commands = commands
        self.locks = locks
        self.officers_directory = officers
        self.catalogue = catalogue
        self.clock = clock

    async def view(self, principal: Principal, task_id: str) -> dict[str, Any]:
        """The task with the moves the caller may make and its timeline, newest first."""
        task = await self.access.task_for(principal, task_id)
        return await self._view(principal, task)

    async def _view(self, principal: Principal, task: Task) -> dict[str, Any]:
        acts = principal.has_role(Role.OFFICER, Role.COORDINATOR)
        moves = allowed_moves(task.status) if acts else []
        lock = await self.locks.current(task.task_id)
        entries = timeline(task)
        for entry in entries:
            if entry.get("delivery_id"):
                entry["delivery"] = await run_db(self.commands.webhooks.delivery, entry["delivery_id"])
        return {
            "lock": self.lock_view(principal, lock),
            **task.to_doc(),
            "allowed_moves": [
                {"status": m.status.value, "label_pl": m.label_pl, "note_required": m.note_required} for m in moves
            ],
            "timeline": entries,
            "can_assign": principal.has_role(Role.COORDINATOR),
            "can_take": acts and task.assignee != principal.subject,
        }

    async def add_note(self, principal: Principal, task_id: str, *, text: str) -> dict[str, Any]:
        """Keep an internal note (officers only) in the task's history; InvalidNote for a refused one."""
        task = await self.access.task_for(principal, task_id)
        require_role(principal, Role.OFFICER, Role.COORDINATOR)
        clean = check_note(text, required=True)
        now = self.clock()
        entry = {
            "note_id": str(uuid.uuid4()),
            "text": clean,
            "by": principal.subject,
            "by_name": principal.name,
            "at": now,
        }
        updated = await run_db(self.tasks.add_note, task_id, entry=entry)
        if updated is None:
            raise TaskNotFound()
        # Colleagues' consoles learn that the task changed; the text stays in the store.
        data = {"event_type": "TaskNoteAdded", "task_id": task_id, "unit_id": task.unit_id, "at": now.isoformat()}
        feeds = [unit_feed(u) for u in task.unit_chain]
        await run_db(self.feeds.append, feeds, event_id=entry["note_id"], item_type="TaskNoteAdded", data=data, at=now)
        return await self._view(principal, updated)

    def lock_view(self, principal: Principal, lock: EditLock | None) -> dict[str, Any] | None:
        """The lock as the caller reads it: who, until when, whether it is theirs, whether they may take it."""
        if lock is None:
            return None
        mine = lock.holder == principal.subject
        return {
            "task_id": lock.task_id,
            "holder": lock.holder,
            "holder_name": lock.holder_name,
            "acquired_at": lock.acquired_at,
            "expires_at": lock.expires_at,
            "taken_over_from": lock.taken_over_from,
            "mine": mine,
            "can_take_over": not mine and principal.has_role(Role.COORDINATOR),
        }

    async def lock(self, principal: Principal, task_id: str) -> dict[str, Any] | None:
        """The task's active lock, if any."""
        await self.access.task_for(principal, task_id)
        return self.lock_view(principal, await self.locks.current(task_id))

    async def acquire(self, principal: Principal, task_id: str, *, take_over: bool = False) -> dict[str, Any]:
        """Take, refresh or (a coordinator) take over the task's edit lock."""
        lock = await self.locks.acquire(principal, task_id, take_over=take_over)
        view = self.lock_view(principal, lock)
        assert view is not None
        return view

    async def release(self, principal: Principal, task_id: str) -> None:
        """Give the edit lock back."""
        await self.locks.release(principal, task_id)

    async def partners(self, principal: Principal, unit_id: str) -> list[Partner]:
        """Partners outside the police the unit's tasks can be handed over to, its own first."""
        chain = await self.access.require_unit(principal, unit_id)
        return self.commands.partners.for_chain(chain or [unit_id])

    async def officers(self, principal: Principal, unit_id: str) -> list[Officer]:
        """Officers who can take the unit's tasks, beat holders first."""
        chain = await self.access.require_unit(principal, unit_id)
        holders = await run_db(self.beats.holders, unit_id)
        return self.officers_directory.for_chain(chain or [unit_id], beat_holders=holders)

    async def assign(self, principal: Principal, task_id: str, *, officer_id: str) -> dict[str, Any]:
        """Give the task to an officer of its unit (OfficerNotFound for anyone else); an officer may take it."""
        task = await self.access.task_for(principal, task_id)
        holders = await run_db(self.beats.holders, task.unit_id)
        known = {o.officer_id for o in self.officers_directory.for_chain(task.unit_chain, beat_holders=holders)}
        if officer_id not in known:
            raise OfficerNotFound()
        return await self._view(principal, await self.commands.assign(principal, task_id, officer_id=officer_id))

    async def card(self, principal: Principal, task_id: str) -> tuple[str, bytes]:
        """The task's Karta weryfikacji zagrożenia: a file name and the PDF."""
        task = await self.access.task_for(principal, task_id)
        return f"karta-weryfikacji-{task_id[:8]}.pdf", render_card(self._card(task))

    def _card(self, task: Task) -> VerificationCard:
        category = self.catalogue.get(task.category)
        evidence = list(task.evidence)
        names = next((e.get("unit_names") for e in evidence if e.get("unit_names")), None) or {}
        unit_name = names.get(task.unit_id, task.unit_id)
        officers = {o.officer_id: o.name for o in self.officers_directory.for_chain(task.unit_chain)}
        history = list(task.history)
        review = next((h for h in history if h["from"] == TaskStatus.NOWE.value), None)
        verdict = next((h for h in reversed(history) if h["from"] == TaskStatus.WERYFIKACJA.value), None)
        handover = next((h["partner"]["name_pl"] for h in reversed(history) if h.get("partner")), None)
        status = task.status
        reports = [
            f"{n}. {local_time(e.get('submitted_at'))} ({e.get('channel', '—')}): {e.get('description') or 'bez opisu'}"
            for n, e in enumerate(evidence, 1)
        ]
        verifiers = sorted({officers.get(h["by"], h.get("by_name") or h["by"]) for h in history[1:]})
        assignee = task.assignee
        notes = [f"{local_time(h['at'])}, {h.get('by_name')}: {h['note']}" for h in history if h.get("note")]
        notes += [f"{local_time(n['at'])}, {n.get('by_name')}: {n['text']}" for n in task.notes]
        return VerificationCard(
            task_id=task.task_id,
            unit_name=unit_name,
            threat=[
                CardLine("Kategoria", category.name_pl if category else task.category),
                CardLine("Miejsce", f"{_place(evidence)}{task.lat:.5f}, {task.lon:.5f}".replace(".", ",")),
                CardLine("Jednostka", " → ".join(names.get(u, u) for u in task.unit_chain)),
                CardLine("Zgłoszono", local_time(task.created_at)),
                CardLine(
                    "Zdarzenie", local_time(next((e["occurred_at"] for e in evidence if e.get("occurred_at")), None))
                ),
                CardLine("Zgłoszeń / potwierdzeń +1", f"{task.report_count} / {task.confirmation_count}"),
            ],
            reports=reports,
            review=[
                CardLine("Przeglądu dokonał(a)", review["by_name"] if review else "jeszcze nie"),
                CardLine("Data przeglądu", local_time(review["at"]) if review else "—"),
                CardLine("Termin przeglądu", local_time(task.review_due_at)),
                CardLine("Korekta kategorii/miejsca", "brak"),
            ],
            verification=[
                CardLine("Przydzielono", officers.get(assignee, assignee) if assignee else "nikomu"),
                CardLine("Weryfikujący", ", ".join(verifiers) or "—"),
                CardLine("Termin weryfikacji", local_time(task.verification_due_at)),
                CardLine("Data ustalenia", local_time(verdict["at"]) if verdict else "—"),
                CardLine("Status", STATUS_LABELS_PL[status]),
                *([CardLine("Przekazano", handover)] if handover else []),
            ],
            notes=notes,
            generated_at=self.clock(),
        )


def _place(evidence: list[dict[str, Any]]) -> str:
    name = next((e.get("place_pl") for e in evidence if e.get("place_pl")), None)
    return f"{name}, " if name else ""
