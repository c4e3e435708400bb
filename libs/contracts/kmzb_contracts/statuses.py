"""KMZB verification statuses (2019 wording), their groups, public colours and allowed transitions.

The groups are the one home of "open", "closed" and "hidden": every service and every public
output imports them (as FixMyStreet keeps ``open_states()`` and ``hidden_states()`` in one module).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "TaskStatus",
    "OPEN_STATUSES",
    "CLOSED_STATUSES",
    "HIDDEN_STATUSES",
    "FADING_STATUSES",
    "OPEN_STATUS_CODES",
    "TRANSITIONS",
    "STATUS_LABELS_PL",
    "STATUS_COLOURS",
    "can_transition",
]


class TaskStatus(StrEnum):
    """A threat's verification status."""

    NOWE = "NOWE"
    WERYFIKACJA = "WERYFIKACJA"
    POTWIERDZONE = "POTWIERDZONE"
    POTWIERDZONE_WYELIMINOWANE = "POTWIERDZONE_WYELIMINOWANE"
    POTWIERDZONE_PRZEKAZANE = "POTWIERDZONE_PRZEKAZANE"
    NIEPOTWIERDZONE = "NIEPOTWIERDZONE"
    ZART_LUB_POMYLKA = "ZART_LUB_POMYLKA"


STATUS_LABELS_PL: dict[TaskStatus, str] = {
    TaskStatus.NOWE: "Nowe",
    TaskStatus.WERYFIKACJA: "Weryfikacja",
    TaskStatus.POTWIERDZONE: "Potwierdzone",
    TaskStatus.POTWIERDZONE_WYELIMINOWANE: "Potwierdzone (wyeliminowane)",
    TaskStatus.POTWIERDZONE_PRZEKAZANE: "Potwierdzone (przekazane poza Policję)",
    TaskStatus.NIEPOTWIERDZONE: "Niepotwierdzone",
    TaskStatus.ZART_LUB_POMYLKA: "Żart lub pomyłka",
}

# Hidden statuses have no public colour: they never reach a public output.
STATUS_COLOURS: dict[TaskStatus, str] = {
    TaskStatus.NOWE: "green",
    TaskStatus.WERYFIKACJA: "yellow",
    TaskStatus.POTWIERDZONE: "red",
    TaskStatus.POTWIERDZONE_WYELIMINOWANE: "blue",
    TaskStatus.POTWIERDZONE_PRZEKAZANE: "orange",
    TaskStatus.NIEPOTWIERDZONE: "grey",
}

OPEN_STATUSES = frozenset({TaskStatus.NOWE, TaskStatus.WERYFIKACJA, TaskStatus.POTWIERDZONE})
"""New reports of the same threat join the task; Open311 says ``open``; residents may confirm (+1)."""
CLOSED_STATUSES = frozenset(TaskStatus) - OPEN_STATUSES
HIDDEN_STATUSES = frozenset({TaskStatus.ZART_LUB_POMYLKA})
"""Never public (Żart lub pomyłka): only officers see such tasks."""
FADING_STATUSES = frozenset({TaskStatus.NIEPOTWIERDZONE})
"""Public for a while after the change, then only officers see them (``kmzb_contracts.public``)."""
OPEN_STATUS_CODES: tuple[str, ...] = tuple(sorted(s.value for s in OPEN_STATUSES))
"""The open statuses as stored (for store queries)."""

TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.NOWE: frozenset({TaskStatus.WERYFIKACJA}),
    TaskStatus.WERYFIKACJA: frozenset(
        {TaskStatus.POTWIERDZONE, TaskStatus.NIEPOTWIERDZONE, TaskStatus.ZART_LUB_POMYLKA}
    ),
    TaskStatus.POTWIERDZONE: frozenset({TaskStatus.POTWIERDZONE_WYELIMINOWANE, TaskStatus.POTWIERDZONE_PRZEKAZANE}),
    TaskStatus.POTWIERDZONE_WYELIMINOWANE: frozenset(),
    TaskStatus.POTWIERDZONE_PRZEKAZANE: frozenset(),
    TaskStatus.NIEPOTWIERDZONE: frozenset(),
    TaskStatus.ZART_LUB_POMYLKA: frozenset(),
}


def can_transition(current: TaskStatus, target: TaskStatus) -> bool:
    """Whether the KMZB workflow allows moving from ``current`` to ``target``."""
    return target in TRANSITIONS[current]
