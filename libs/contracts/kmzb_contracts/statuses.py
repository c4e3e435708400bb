"""KMZB verification statuses (2019 wording), their public colours and allowed transitions."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "TaskStatus",
    "OPEN_STATUSES",
    "CLOSED_STATUSES",
    "PUBLIC_HIDDEN_STATUSES",
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

STATUS_COLOURS: dict[TaskStatus, str | None] = {
    TaskStatus.NOWE: "green",
    TaskStatus.WERYFIKACJA: "yellow",
    TaskStatus.POTWIERDZONE: "red",
    TaskStatus.POTWIERDZONE_WYELIMINOWANE: "blue",
    TaskStatus.POTWIERDZONE_PRZEKAZANE: "orange",
    TaskStatus.NIEPOTWIERDZONE: "grey",
    TaskStatus.ZART_LUB_POMYLKA: None,
}

OPEN_STATUSES = frozenset({TaskStatus.NOWE, TaskStatus.WERYFIKACJA, TaskStatus.POTWIERDZONE})
CLOSED_STATUSES = frozenset(TaskStatus) - OPEN_STATUSES
PUBLIC_HIDDEN_STATUSES = frozenset({TaskStatus.ZART_LUB_POMYLKA})

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
