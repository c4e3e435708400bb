"""The one mapping of the notifier's domain exceptions to HTTP errors (status, code, Polish, English)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from kmzb_common.http import ApiError, error_mapping_route, error_response
from kmzb_contracts import STATUS_LABELS_PL

from ..domain.errors import (
    BeatNotFound,
    InvalidBeat,
    InvalidNote,
    InvalidTransition,
    NotifierError,
    OfficerNotFound,
    PartnerNotFound,
    PartnerRequired,
    RecipientNotFound,
    RoleForbidden,
    StaleVersion,
    StatusChangedMeanwhile,
    TaskLocked,
    TaskNotFound,
    UnitForbidden,
    UnknownCategories,
)
from ..domain.feed_area import InvalidFeedArea

__all__ = ["as_api_error", "NotifierErrorsRoute"]

_WARSAW = ZoneInfo("Europe/Warsaw")  # officers read the lock's end in Polish time

_ERRORS: dict[type[NotifierError], tuple[int, str, str, str]] = {
    TaskNotFound: (404, "task_not_found", "Nie znaleziono zadania.", "Task not found."),
    RecipientNotFound: (404, "recipient_not_found", "Nie znaleziono odbiorcy.", "Recipient not found."),
    BeatNotFound: (
        404,
        "beat_not_found",
        "Nie masz przypisanego rejonu: pokazujemy zadania całej jednostki.",
        "You have no beat: the whole unit's tasks are shown.",
    ),
    OfficerNotFound: (
        404,
        "officer_not_found",
        "Nie ma takiego funkcjonariusza w tej jednostce.",
        "No such officer in this unit.",
    ),
    UnitForbidden: (
        403,
        "forbidden",
        "Brak uprawnień do zadań tej jednostki.",
        "You have no access to this unit's tasks.",
    ),
    RoleForbidden: (403, "role_forbidden", "Twoja rola nie pozwala na tę czynność.", "Your role does not allow this."),
    StatusChangedMeanwhile: (
        409,
        "status_changed_meanwhile",
        "Status zadania zmienił się w międzyczasie. Odśwież i spróbuj ponownie.",
        "The task's status changed meanwhile. Reload and try again.",
    ),
}


def as_api_error(exc: NotifierError) -> ApiError:
    """The HTTP error of a use-case refusal."""
    if isinstance(exc, InvalidTransition):
        current, target = exc.current.value, exc.target.value
        return ApiError(
            409,
            "invalid_transition",
            f"Niedozwolona zmiana statusu: z „{STATUS_LABELS_PL[exc.current]}” na „{STATUS_LABELS_PL[exc.target]}”.",
            f"Status change not allowed: {current} -> {target}.",
            details=[{"from": current, "to": target}],
        )
    if isinstance(exc, InvalidNote):
        # Named by field, so the console shows it next to the note.
        return ApiError(422, exc.code, exc.message_pl, exc.message_en, details=[{"field": "note", "reason": exc.code}])
    if isinstance(exc, InvalidFeedArea):
        return ApiError(422, exc.code, exc.message_pl, exc.message_en, details=[{"field": "area", "reason": exc.code}])
    if isinstance(exc, UnknownCategories):
        codes = ", ".join(exc.codes)
        return ApiError(
            422,
            "unknown_category",
            f"Nieznana kategoria: {codes}. Kody kategorii podaje GET /api/v1/categories usługi intake.",
            f"Unknown category: {codes}. The intake's GET /api/v1/categories lists the codes.",
            details=[{"field": "category", "value": c} for c in exc.codes[:20]],
        )
    if isinstance(exc, InvalidBeat):
        return ApiError(
            422,
            "invalid_cells",
            "Rejon musi składać się z komórek H3 o rozdzielczości 7–9.",
            "A beat is made of H3 cells of resolution 7 to 9.",
            details=[{"cell": c} for c in exc.cells[:20]],
        )
    if isinstance(exc, TaskLocked):
        until = exc.until.astimezone(_WARSAW).strftime("%H:%M")
        return ApiError(
            423,
            "task_locked",
            f"Zadanie edytuje teraz {exc.holder_name} (do {until}). Zmiany są możliwe po zakończeniu edycji.",
            f"{exc.holder_name} is editing this task (until {until}). Changes are possible once they finish.",
            details=[{"holder": exc.holder, "holder_name": exc.holder_name, "until": exc.until.isoformat()}],
        )
    if isinstance(exc, StaleVersion):
        return ApiError(
            409,
            "stale_version",
            "Zadanie zmieniło się, odkąd je otwarto. Wczytaliśmy je ponownie: sprawdź zmiany i zapisz jeszcze raz.",
            "The task changed since you opened it. It was reloaded: check the changes and save again.",
            details=[{"field": "version", "sent": exc.sent, "current": exc.current}],
        )
    if isinstance(exc, PartnerRequired):
        return ApiError(
            422,
            "partner_required",
            "Wybierz partnera spoza Policji, któremu przekazano sprawę.",
            "Choose the partner outside the Police the case was handed over to.",
            details=[{"field": "partner_id", "reason": "partner_required"}],
        )
    if isinstance(exc, PartnerNotFound):
        return ApiError(
            422,
            "partner_unknown",
            "Nie ma takiego partnera na liście jednostki. Wybierz partnera z listy.",
            "No such partner on the unit's list. Choose a partner from the list.",
            details=[{"field": "partner_id", "reason": "partner_unknown", "partner_id": exc.partner_id}],
        )
    if isinstance(exc, OfficerNotFound):
        status, code, pl, en = _ERRORS[OfficerNotFound]
        return ApiError(status, code, pl, en, details=[{"field": "officer_id", "reason": code}])
    status, code, pl, en = _ERRORS[type(exc)]
    return ApiError(status, code, pl, en)


def _respond(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotifierError)
    return error_response(request, as_api_error(exc))


NotifierErrorsRoute: type[APIRoute] = error_mapping_route(NotifierError, _respond)
"""The route class of the notifier's router: every domain refusal answers in the common error format."""
