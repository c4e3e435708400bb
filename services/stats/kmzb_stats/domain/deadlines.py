"""Deadline accountability: how promptly each unit reviews, verifies and closes its tasks (pure domain code).

A task's timeline is folded from its events (``TaskCreated``, ``TaskStatusChanged``), each applied
once by its event id, so a redelivered event changes nothing. From the timelines of the tasks posted
in a period, per unit and rolled up its chain (station → KMP/KPP → KWP → KGP):

- reviewed on time: the share of tasks whose review (leaving ``Nowe``, the coordinator opening the
  verification card) came at most the review deadline after posting, among the tasks that were
  reviewed or whose deadline has passed (a task still inside its deadline is not yet judged);
- verified on time: the same for the verification outcome (``Potwierdzone``, ``Niepotwierdzone``,
  ``Żart lub pomyłka``) and the verification deadline;
- median time to review and to close (entering a closed status), over the tasks that got there;
- open overdue: tasks still open that are past a deadline they have not met.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from kmzb_contracts import CLOSED_STATUSES, OPEN_STATUSES, TaskCreated, TaskStatus, TaskStatusChanged

__all__ = [
    "Deadlines",
    "Period",
    "PERIOD_DAYS",
    "TaskTimeline",
    "UnitCompliance",
    "VERIFIED_STATUSES",
    "apply_event",
    "compliance",
]

VERIFIED_STATUSES = frozenset({TaskStatus.POTWIERDZONE, TaskStatus.NIEPOTWIERDZONE, TaskStatus.ZART_LUB_POMYLKA})
"""The outcomes of a verification: the threat was confirmed, not confirmed, or a joke or mistake."""


class Period(StrEnum):
    """The periods published: tasks posted in the last 28 days or the last 12 months."""

    FOUR_WEEKS = "28d"
    YEAR = "12m"


PERIOD_DAYS: dict[Period, int] = {Period.FOUR_WEEKS: 28, Period.YEAR: 365}


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The KMZB deadlines, counted from the posting of a task."""

    review: timedelta = timedelta(days=3)
    verification: timedelta = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class TaskTimeline:
    """When a task was posted, reviewed, verified and closed, and the events that said so."""

    task_id: str
    unit_id: str
    units: tuple[str, ...]
    """The owning unit's chain, national headquarters first, ending with the unit."""
    category: str
    created_at: datetime
    status: TaskStatus
    reviewed_at: datetime | None = None
    verified_at: datetime | None = None
    closed_at: datetime | None = None
    event_ids: frozenset[str] = field(default_factory=frozenset)

    def to_value(self) -> dict[str, Any]:
        """As a table value (JSON)."""
        out: dict[str, Any] = {
            "task_id": self.task_id,
            "unit_id": self.unit_id,
            "units": list(self.units),
            "category": self.category,
            "created_at": self.created_at.isoformat(),
            "status": str(self.status),
            "event_ids": sorted(self.event_ids),
        }
        for name in ("reviewed_at", "verified_at", "closed_at"):
            moment = getattr(self, name)
            out[name] = moment.isoformat() if moment else None
        return out

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> TaskTimeline:
        """From a table value."""

        def moment(name: str) -> datetime | None:
            raw = value.get(name)
            return datetime.fromisoformat(raw) if raw else None

        return cls(
            task_id=value["task_id"],
            unit_id=value["unit_id"],
            units=tuple(value["units"]),
            category=value["category"],
            created_at=datetime.fromisoformat(value["created_at"]),
            status=TaskStatus(value["status"]),
            reviewed_at=moment("reviewed_at"),
            verified_at=moment("verified_at"),
            closed_at=moment("closed_at"),
            event_ids=frozenset(value.get("event_ids", ())),
        )


def _earliest(current: datetime | None, moment: datetime) -> datetime:
    return moment if current is None or moment < current else current


def apply_event(timeline: TaskTimeline | None, event: TaskCreated | TaskStatusChanged) -> TaskTimeline | None:
    """The timeline after ``event``; None when it changes nothing (a redelivery, or a change before its creation).

    Times only move earlier (the first review counts), so events that arrive out of order after
    the creation give the same timeline as in order.
    """
    event_id = str(event.event_id)
    if timeline is not None and event_id in timeline.event_ids:
        return None
    if isinstance(event, TaskCreated):
        chain = tuple(event.unit_chain) or (event.unit_id,)
        if chain[-1] != event.unit_id:
            chain = (*chain, event.unit_id)
        created = TaskTimeline(
            task_id=str(event.task_id),
            unit_id=event.unit_id,
            units=chain,
            category=event.category,
            created_at=event.created_at,
            status=event.status,
        )
        if timeline is None:
            return replace(created, event_ids=frozenset({event_id}))
        return replace(timeline, created_at=event.created_at, event_ids=timeline.event_ids | {event_id})
    if timeline is None:
        return None
    at, to = event.changed_at, event.to_status
    reviewed = _earliest(timeline.reviewed_at, at) if to != TaskStatus.NOWE else timeline.reviewed_at
    verified = _earliest(timeline.verified_at, at) if to in VERIFIED_STATUSES else timeline.verified_at
    if to in CLOSED_STATUSES:
        # A closed task was reviewed and decided no later than its closing.
        closed = _earliest(timeline.closed_at, at)
        reviewed = _earliest(reviewed, at)
        verified = _earliest(verified, at)
    else:
        closed = timeline.closed_at
    latest = timeline.status if timeline.status in CLOSED_STATUSES else to
    return replace(
        timeline,
        status=latest,
        reviewed_at=reviewed,
        verified_at=verified,
        closed_at=closed,
        event_ids=timeline.event_ids | {event_id},
    )


@dataclass(frozen=True, slots=True)
class UnitCompliance:
    """The deadline figures of one unit (with every unit below it) over one period."""

    unit_id: str
    parent_id: str | None
    """The unit above it in the chains of its tasks (None for the national headquarters)."""
    tasks: int
    review_judged: int
    reviewed_on_time: int
    verification_judged: int
    verified_on_time: int
    median_review_s: float | None
    median_close_s: float | None
    open_overdue: int

    @property
    def reviewed_on_time_share(self) -> float | None:
        """Reviewed on time among the tasks judged; None when none is judged yet."""
        return self.reviewed_on_time / self.review_judged if self.review_judged else None

    @property
    def verified_on_time_share(self) -> float | None:
        """Verified on time among the tasks judged; None when none is judged yet."""
        return self.verified_on_time / self.verification_judged if self.verification_judged else None


@dataclass
class _Tally:
    parent_id: str | None = None
    tasks: int = 0
    review_judged: int = 0
    reviewed_on_time: int = 0
    verification_judged: int = 0
    verified_on_time: int = 0
    review_s: list[float] = field(default_factory=list)
    close_s: list[float] = field(default_factory=list)
    open_overdue: int = 0


def _judged(done: datetime | None, due: datetime, now: datetime) -> tuple[bool, bool]:
    """(judged, on time) of one deadline."""
    if done is not None:
        return True, done <= due
    return now >= due, False


def compliance(
    timelines: Iterable[TaskTimeline], *, now: datetime, period: Period, deadlines: Deadlines
) -> dict[str, UnitCompliance]:
    """Figures per unit of the tasks posted in the period, each task counted in every unit of its chain."""
    since = now - timedelta(days=PERIOD_DAYS[period])
    tallies: dict[str, _Tally] = {}
    for t in timelines:
        if not since <= t.created_at <= now:
            continue
        review_due = t.created_at + deadlines.review
        verification_due = t.created_at + deadlines.verification
        review_judged, review_on_time = _judged(t.reviewed_at, review_due, now)
        verification_judged, verification_on_time = _judged(t.verified_at, verification_due, now)
        overdue = t.status in OPEN_STATUSES and (
            (t.reviewed_at is None and now > review_due) or (t.verified_at is None and now > verification_due)
        )
        for depth, unit in enumerate(t.units):
            tally = tallies.setdefault(unit, _Tally(parent_id=t.units[depth - 1] if depth else None))
            tally.tasks += 1
            tally.review_judged += review_judged
            tally.reviewed_on_time += review_on_time
            tally.verification_judged += verification_judged
            tally.verified_on_time += verification_on_time
            tally.open_overdue += overdue
            if t.reviewed_at is not None:
                tally.review_s.append((t.reviewed_at - t.created_at).total_seconds())
            if t.closed_at is not None:
                tally.close_s.append((t.closed_at - t.created_at).total_seconds())
    return {
        unit: UnitCompliance(
            unit_id=unit,
            parent_id=x.parent_id,
            tasks=x.tasks,
            review_judged=x.review_judged,
            reviewed_on_time=x.reviewed_on_time,
            verification_judged=x.verification_judged,
            verified_on_time=x.verified_on_time,
            median_review_s=statistics.median(x.review_s) if x.review_s else None,
            median_close_s=statistics.median(x.close_s) if x.close_s else None,
            open_overdue=x.open_overdue,
        )
        for unit, x in sorted(tallies.items())
    }
