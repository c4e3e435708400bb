"""What the notifier's use cases refuse, as domain exceptions (entrypoints map them to HTTP once)."""

from __future__ import annotations

from datetime import datetime

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
    "TaskLocked",
    "StaleVersion",
    "PartnerRequired",
    "PartnerNotFound",
    "BeatNotFound",
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


class TaskLocked(NotifierError):
    """Another officer holds the task's edit lock."""

    def __init__(self, *, holder: str, holder_name: str, until: datetime) -> None:
        super().__init__(holder)
        self.holder = holder
        self.holder_name = holder_name
        self.until = until


class StaleVersion(NotifierError):
    """The request was made against an older version of the task than the stored one."""

    def __init__(self, *, sent: int, current: int) -> None:
        super().__init__(f"{sent} != {current}")
        self.sent = sent
        self.current = current


class PartnerRequired(NotifierError, ValueError):
    """A handover outside the police names no partner."""


class PartnerNotFound(NotifierError, ValueError):
    """No partner of the task's units has this id."""

    def __init__(self, partner_id: str) -> None:
        super().__init__(partner_id)
        self.partner_id = partner_id


class BeatNotFound(NotifierError):
    """The officer has no beat."""


class UnknownCategories(NotifierError, ValueError):
    """Category codes that are not in the catalogue."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes
