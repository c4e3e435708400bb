"""The one mapping of the notifier's domain exceptions to HTTP errors (status, code, Polish, English)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from kmzb_common.http import ApiError, error_mapping_route, error_response
from kmzb_contracts import STATUS_LABELS_PL

from ..domain.errors import (
    InvalidBeat,
    InvalidNote,
    InvalidTransition,
    NotifierError,
    OfficerNotFound,
    RecipientNotFound,
    RoleForbidden,
    StatusChangedMeanwhile,
    TaskNotFound,
    UnitForbidden,
    UnknownCategories,
)
from ..domain.feed_area import InvalidFeedArea

__all__ = ["as_api_error", "NotifierErrorsRoute"]

_ERRORS: dict[type[NotifierError], tuple[int, str, str, str]] = {
    TaskNotFound: (404, "task_not_found", "Nie znaleziono zadania.", "Task not found."),
    RecipientNotFound: (404, "recipient_not_found", "Nie znaleziono odbiorcy.", "Recipient not found."),
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
