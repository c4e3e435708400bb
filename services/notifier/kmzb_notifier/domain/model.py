"""A task as the notifier holds it: one threat, its reports, history, deadlines and confirmations."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kmzb_contracts import DeadlineKind, TaskStatus

__all__ = ["Task"]


@dataclass(slots=True)
class Task:
    """One verification task; the store keeps it as a document with the same field names."""

    task_id: str
    report_id: str
    unit_id: str
    unit_chain: list[str]
    category: str
    lat: float
    lon: float
    cell: str
    status: TaskStatus
    created_at: datetime
    status_changed_at: datetime
    report_ids: list[str] = field(default_factory=list)
    report_count: int = 1
    evidence: list[dict[str, Any]] = field(default_factory=list)
    merged_at: list[datetime] = field(default_factory=list)
    confirmation_count: int = 0
    assignee: str | None = None
    assignments: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    review_due_at: datetime | None = None
    verification_due_at: datetime | None = None
    review_escalated_at: datetime | None = None
    verification_escalated_at: datetime | None = None
    lock_takeovers: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0  # +1 on every change: a status change sent against an older one is refused

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Task:
        """The task of a stored document (fields the model does not know are left out)."""
        values = {k: doc[k] for k in _FIELDS if k in doc}
        values["status"] = TaskStatus(values["status"])
        values.setdefault("status_changed_at", doc["created_at"])
        return cls(**values)

    def to_doc(self) -> dict[str, Any]:
        """The document the store keeps (plain values: the status as its code)."""
        doc = {f: getattr(self, f) for f in _FIELDS}
        doc["status"] = self.status.value
        return doc

    def due_at(self, kind: DeadlineKind) -> datetime | None:
        """When the ``kind`` deadline falls."""
        return self.review_due_at if kind is DeadlineKind.REVIEW else self.verification_due_at

    def set_due(self, kind: DeadlineKind, at: datetime) -> None:
        """Set the ``kind`` deadline (on a new task)."""
        if kind is DeadlineKind.REVIEW:
            self.review_due_at = at
        else:
            self.verification_due_at = at


_FIELDS = tuple(f.name for f in dataclasses.fields(Task))
