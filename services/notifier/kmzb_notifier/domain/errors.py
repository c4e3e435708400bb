"""What the notifier's use cases refuse, as domain exceptions (entrypoints map them to HTTP once)."""

from __future__ import annotations

from kmzb_contracts import TaskStatus

__all__ = [
    "NotifierError",
    "TaskNotFound",
    "RecipientNotFound",
    "UnitForbidden",
    "RoleForbidden",
    "InvalidTransition",
    "StatusChangedMeanwhile",
    "InvalidBeat",
    "InvalidNote",
    "OfficerNotFound",
    "UnknownCategories",
]


class NotifierError(Exception):
    """A use case refused the request."""


class TaskNotFound(NotifierError):
    """No task has this id."""


class RecipientNotFound(NotifierError):
    """No webhook recipient has this id."""


class UnitForbidden(NotifierError):
    """The principal does not cover the unit (or the task's unit)."""


class RoleForbidden(NotifierError):
    """The principal's role does not allow the action."""


class InvalidTransition(NotifierError, ValueError):
    """The KMZB workflow does not allow this status change."""

    def __init__(self, current: TaskStatus, target: TaskStatus) -> None:
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


class StatusChangedMeanwhile(NotifierError):
    """Another change moved the task out of the status the request saw."""


class InvalidBeat(NotifierError):
    """A beat holds cells that are not H3 cells of resolution 7 to 9."""

    def __init__(self, cells: list[str]) -> None:
        super().__init__(f"{len(cells)} invalid cells")
        self.cells = cells


class InvalidNote(NotifierError, ValueError):
    """A note the workflow refuses (too long, markup, missing where required), with its reason."""

    def __init__(self, code: str, message_pl: str, message_en: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_pl = message_pl
        self.message_en = message_en


class OfficerNotFound(NotifierError):
    """No officer of the task's unit has this id."""


class UnknownCategories(NotifierError, ValueError):
    """Category codes that are not in the catalogue."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes
