"""The two KMZB deadlines of a task and when they are missed (pure domain code)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from kmzb_contracts import DeadlineKind, TaskStatus

__all__ = ["DeadlinePolicy", "policy_for", "due_dates", "pending_statuses"]


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """How long after posting the review and the verification are due."""

    review: timedelta
    verification: timedelta


def policy_for(
    chain: Iterable[str], *, default: DeadlinePolicy, per_unit: Mapping[str, DeadlinePolicy]
) -> DeadlinePolicy:
    """The most specific unit of the chain that has its own deadlines decides; else the default."""
    for unit in reversed(list(chain)):
        if unit in per_unit:
            return per_unit[unit]
    return default


def due_dates(created_at: datetime, policy: DeadlinePolicy) -> dict[DeadlineKind, datetime]:
    """When each deadline of a task posted at ``created_at`` falls due."""
    return {
        DeadlineKind.REVIEW: created_at + policy.review,
        DeadlineKind.VERIFICATION: created_at + policy.verification,
    }


# The coordinator's review is done once verification starts; verification once a verdict is in.
_PENDING: dict[DeadlineKind, frozenset[TaskStatus]] = {
    DeadlineKind.REVIEW: frozenset({TaskStatus.NOWE}),
    DeadlineKind.VERIFICATION: frozenset({TaskStatus.NOWE, TaskStatus.WERYFIKACJA}),
}


def pending_statuses(kind: DeadlineKind) -> frozenset[TaskStatus]:
    """Statuses in which the deadline is still to be met."""
    return _PENDING[kind]
