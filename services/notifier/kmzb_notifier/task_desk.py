"""The officer console's use cases on one task: its whole view, internal notes, who can take it, its card.

Built over the notifier's use cases (scope checks, assignment, events) and stores; internal notes
stay in the store and the officers' feeds, never in public outputs or webhooks.
"""

from __future__ import annotations

import uuid
from typing import Any

from kmzb_common.auth import Principal, Role
from kmzb_common.http import ApiError
from kmzb_common.mongo import run_db
from kmzb_contracts import STATUS_LABELS_PL, TaskStatus

from .adapters.card_pdf import CardLine, VerificationCard, local_time, render_card
from .adapters.feed_store import unit_feed
from .adapters.officers import Officer, OfficerDirectory
from .domain.task_view import InvalidNote, allowed_moves, check_note, timeline
from .workflow import Notifier, require_role

__all__ = ["TaskDesk", "invalid_note"]


def invalid_note(exc: InvalidNote) -> ApiError:
    """A refused note: 422 that names the field, so the page shows it next to the note."""
    return ApiError(422, exc.code, exc.message_pl, exc.message_en, details=[{"field": "note", "reason": exc.code}])


class TaskDesk:
    """Reading and working one task from the console."""

    def __init__(self, notifier: Notifier, officers: OfficerDirectory) -> None:
        self._n = notifier
        self._officers = officers

    async def view(self, principal: Principal, task_id: str) -> dict[str, Any]:
        """The task with the moves the caller may make and its timeline, newest first."""
        task = await self._n.task_for(principal, task_id)
        acts = principal.has_role(Role.OFFICER, Role.COORDINATOR)
        moves = allowed_moves(TaskStatus(task["status"])) if acts else []
        return {
            **task,
            "allowed_moves": [
                {"status": m.status.value, "label_pl": m.label_pl, "note_required": m.note_required} for m in moves
            ],
            "timeline": timeline(task),
            "can_assign": principal.has_role(Role.COORDINATOR),
            "can_take": acts and task.get("assignee") != principal.subject,
        }

    async def add_note(self, principal: Principal, task_id: str, *, text: str) -> dict[str, Any]:
        """Keep an internal note (officers only) in the task's history."""
        task = await self._n.task_for(principal, task_id)
        require_role(principal, Role.OFFICER, Role.COORDINATOR)
        try:
            clean = check_note(text, required=True)
        except InvalidNote as exc:
            raise invalid_note(exc) from None
        now = self._n.clock()
        entry = {
            "note_id": str(uuid.uuid4()),
            "text": clean,
            "by": principal.subject,
            "by_name": principal.name,
            "at": now,
        }
        updated = await run_db(self._n.tasks.add_note, task_id, entry=entry)
        if updated is None:
            raise ApiError(404, "task_not_found", "Nie znaleziono zadania.", "Task not found.")
        # Colleagues' consoles learn that the task changed; the text stays in the store.
        data = {"event_type": "TaskNoteAdded", "task_id": task_id, "unit_id": task["unit_id"], "at": now.isoformat()}
        feeds = [unit_feed(u) for u in task["unit_chain"]]
        await run_db(
            self._n.feeds.append, feeds, event_id=entry["note_id"], item_type="TaskNoteAdded", data=data, at=now
        )
        return await self.view(principal, task_id)

    async def officers(self, principal: Principal, unit_id: str) -> list[Officer]:
        """Officers who can take the unit's tasks, beat holders first."""
        chain = await self._n.require_unit(principal, unit_id)
        holders = await run_db(self._n.beats.holders, unit_id)
        return self._officers.for_chain(chain or [unit_id], beat_holders=holders)

    async def assign(self, principal: Principal, task_id: str, *, officer_id: str) -> dict[str, Any]:
        """Give the task to an officer of its unit (404 for anyone else); an officer may take it themself."""
        task = await self._n.task_for(principal, task_id)
        holders = await run_db(self._n.beats.holders, task["unit_id"])
        known = {o.officer_id for o in self._officers.for_chain(task["unit_chain"], beat_holders=holders)}
        if officer_id not in known:
            raise ApiError(
                404,
                "officer_not_found",
                "Nie ma takiego funkcjonariusza w tej jednostce.",
                "No such officer in this unit.",
                details=[{"field": "officer_id", "reason": "officer_not_found"}],
            )
        await self._n.assign(principal, task_id, officer_id=officer_id)
        return await self.view(principal, task_id)

    async def card(self, principal: Principal, task_id: str) -> tuple[str, bytes]:
        """The task's Karta weryfikacji zagrożenia: a file name and the PDF."""
        task = await self._n.task_for(principal, task_id)
        return f"karta-weryfikacji-{task_id[:8]}.pdf", render_card(self._card(task))

    def _card(self, task: dict[str, Any]) -> VerificationCard:
        category = self._n.catalogue.get(task["category"])
        evidence = list(task.get("evidence") or [])
        names = next((e.get("unit_names") for e in evidence if e.get("unit_names")), None) or {}
        unit_name = names.get(task["unit_id"], task["unit_id"])
        officers = {o.officer_id: o.name for o in self._officers.for_chain(task["unit_chain"])}
        history = list(task.get("history") or [])
        review = next((h for h in history if h["from"] == TaskStatus.NOWE.value), None)
        verdict = next((h for h in reversed(history) if h["from"] == TaskStatus.WERYFIKACJA.value), None)
        status = TaskStatus(task["status"])
        reports = [
            f"{n}. {local_time(e.get('submitted_at'))} ({e.get('channel', '—')}): {e.get('description') or 'bez opisu'}"
            for n, e in enumerate(evidence, 1)
        ]
        verifiers = sorted({officers.get(h["by"], h.get("by_name") or h["by"]) for h in history[1:]})
        assignee = task.get("assignee")
        notes = [f"{local_time(h['at'])}, {h.get('by_name')}: {h['note']}" for h in history if h.get("note")]
        notes += [f"{local_time(n['at'])}, {n.get('by_name')}: {n['text']}" for n in task.get("notes") or []]
        return VerificationCard(
            task_id=task["task_id"],
            unit_name=unit_name,
            threat=[
                CardLine("Kategoria", category.name_pl if category else task["category"]),
                CardLine("Miejsce", f"{_place(evidence)}{task['lat']:.5f}, {task['lon']:.5f}".replace(".", ",")),
                CardLine("Jednostka", " → ".join(names.get(u, u) for u in task["unit_chain"])),
                CardLine("Zgłoszono", local_time(task["created_at"])),
                CardLine(
                    "Zdarzenie", local_time(next((e["occurred_at"] for e in evidence if e.get("occurred_at")), None))
                ),
                CardLine(
                    "Zgłoszeń / potwierdzeń +1", f"{task.get('report_count', 1)} / {task.get('confirmation_count', 0)}"
                ),
            ],
            reports=reports,
            review=[
                CardLine("Przeglądu dokonał(a)", review["by_name"] if review else "jeszcze nie"),
                CardLine("Data przeglądu", local_time(review["at"]) if review else "—"),
                CardLine("Termin przeglądu", local_time(task.get("review_due_at"))),
                CardLine("Korekta kategorii/miejsca", "brak"),
            ],
            verification=[
                CardLine("Przydzielono", officers.get(assignee, assignee) if assignee else "nikomu"),
                CardLine("Weryfikujący", ", ".join(verifiers) or "—"),
                CardLine("Termin weryfikacji", local_time(task.get("verification_due_at"))),
                CardLine("Data ustalenia", local_time(verdict["at"]) if verdict else "—"),
                CardLine("Status", STATUS_LABELS_PL[status]),
            ],
            notes=notes,
            generated_at=self._n.clock(),
        )


def _place(evidence: list[dict[str, Any]]) -> str:
    name = next((e.get("place_pl") for e in evidence if e.get("place_pl")), None)
    return f"{name}, " if name else ""
