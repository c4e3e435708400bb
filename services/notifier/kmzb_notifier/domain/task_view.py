"""What an officer reads and may do on one task (pure domain code).

The moves the workflow allows from a status with their Polish labels, where the KGP guidelines
expect a note (a threat not confirmed, a joke or mistake, a handover outside the police), the
rules for an officer's note, and the task's whole record as one timeline, newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kmzb_contracts import STATUS_LABELS_PL, TaskStatus
from kmzb_contracts.statuses import TRANSITIONS

from .errors import InvalidNote
from .model import Task

__all__ = [
    "NOTE_MAX_CHARS",
    "NOTE_REQUIRED",
    "Move",
    "allowed_moves",
    "check_note",
    "check_status_note",
    "timeline",
]

NOTE_MAX_CHARS = 2000
NOTE_REQUIRED = frozenset({TaskStatus.NIEPOTWIERDZONE, TaskStatus.ZART_LUB_POMYLKA, TaskStatus.POTWIERDZONE_PRZEKAZANE})
# A tag, a comment or an entity: notes are plain text (they are printed on the PDF card too).
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&[a-zA-Z#][a-zA-Z0-9]*;")


@dataclass(frozen=True, slots=True)
class Move:
    """A status the task may move to next."""

    status: TaskStatus
    label_pl: str
    note_required: bool


def allowed_moves(current: TaskStatus) -> list[Move]:
    """The moves the workflow allows from ``current``, in the catalogue's order."""
    return [Move(s, STATUS_LABELS_PL[s], s in NOTE_REQUIRED) for s in TaskStatus if s in TRANSITIONS[current]]


def check_note(note: str | None, *, required: bool = False) -> str | None:
    """The note trimmed (None when empty), or InvalidNote: too long, markup, or missing when required."""
    text = (note or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidNote(
            "note_too_long",
            f"Notatka może mieć najwyżej {NOTE_MAX_CHARS:,} znaków (ma {len(text):,}).".replace(",", "\u00a0"),
            f"A note may have at most {NOTE_MAX_CHARS:,} characters (it has {len(text):,}).",
        )
    if _MARKUP.search(text):
        raise InvalidNote(
            "note_markup",
            "Notatka to zwykły tekst: usuń znaczniki HTML (np. <b>) i encje (np. &amp;).",
            "A note is plain text: remove HTML tags (e.g. <b>) and entities (e.g. &amp;).",
        )
    if required and not text:
        raise InvalidNote(
            "note_required",
            "Przy tym statusie wpisz notatkę: co ustalono i dlaczego.",
            "This status needs a note: what was found and why.",
        )
    return text or None


def check_status_note(target: TaskStatus, note: str | None) -> str | None:
    """The note of a move to ``target``: required where the guidelines expect one."""
    try:
        return check_note(note, required=target in NOTE_REQUIRED)
    except InvalidNote as exc:
        if exc.code == "note_required":
            label = STATUS_LABELS_PL[target]
            raise InvalidNote(
                "note_required",
                f"Status „{label}” wymaga notatki: co ustalono i dlaczego.",
                f"The status {target.value} needs a note: what was found and why.",
            ) from None
        raise


def _entry(kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "at": at, **fields}


def timeline(task: Task) -> list[dict[str, Any]]:
    """Everything that happened to the task, newest first.

    Opened, merges, statuses, assignments, notes, escalations and takeovers of the edit lock.
    """
    evidence = list(task.evidence)
    out = [_entry("opened", task.created_at, report_id=task.report_id)]
    # merged_at[i] is the time the (i+1)-th evidence joined: both are pushed together.
    for report, at in zip(evidence[1:], task.merged_at, strict=False):
        out.append(_entry("merged", at, report_id=report.get("report_id")))
    for h in task.history:
        out.append(
            _entry(
                "status",
                h["at"],
                by=h.get("by"),
                by_name=h.get("by_name"),
                from_status=h["from"],
                to_status=h["to"],
                from_label_pl=STATUS_LABELS_PL[TaskStatus(h["from"])],
                to_label_pl=STATUS_LABELS_PL[TaskStatus(h["to"])],
                note=h.get("note"),
                partner_id=(h.get("partner") or {}).get("partner_id"),
                partner_name=(h.get("partner") or {}).get("name_pl"),
                delivery_id=h.get("delivery_id"),
            )
        )
    for a in task.assignments:
        out.append(_entry("assigned", a["at"], by=a.get("by"), by_name=a.get("by_name"), officer_id=a["officer_id"]))
    for n in task.notes:
        out.append(_entry("note", n["at"], by=n.get("by"), by_name=n.get("by_name"), note=n["text"]))
    for e in task.escalations:
        out.append(_entry("escalated", e["at"], deadline=e.get("deadline"), to_unit=e.get("to")))
    for k in task.lock_takeovers:
        out.append(
            _entry(
                "lock_taken_over",
                k["at"],
                by=k["by"],
                by_name=k["by_name"],
                officer_id=k["from"],
                from_name=k["from_name"],
            )
        )
    order = {"opened": 0, "merged": 1, "lock_taken_over": 2, "assigned": 3, "status": 4, "note": 5, "escalated": 6}
    # Entries of one kind are appended in the order they happened: the later one first on a tie.
    ranked = sorted(enumerate(out), key=lambda p: (p[1]["at"], order[p[1]["kind"]], p[0]), reverse=True)
    return [entry for _, entry in ranked]
