"""The one table of the intake's use-case errors: HTTP status, code, Polish and English text.

The JSON API answers them in the common error format; Open311 in its GeoReport format (where a
refused report is a 400). Each refusal of a report is counted by its code.
"""

from __future__ import annotations

from collections.abc import Callable

from kmzb_common.http import ApiError

from ..adapters.publisher import BrokerUnavailable
from ..domain.validation import ReportRejected
from ..metrics import REJECTED
from ..workflow import AttachmentForbidden, AttachmentNotFound, RateLimited, ThreatNotFound

__all__ = ["USE_CASE_ERRORS", "as_api_error"]


def _rejected(exc: ReportRejected) -> ApiError:
    return ApiError(422, exc.code, exc.message_pl, exc.message_en, details=[{"field": exc.field, "reason": exc.code}])


def _rate_limited(exc: RateLimited) -> ApiError:
    hours = max(1, round(exc.retry_after_s / 3600))
    return ApiError(
        429,
        "rate_limited",
        f"Z tego urządzenia przyjęliśmy już zgłoszenie w ciągu ostatniej doby. Kolejne możesz wysłać za ok. "
        f"{hours} godz. Jeśli zagrożenie jest już na mapie, potwierdź je (+1).",
        f"This device has already sent a report in the last 24 hours. Try again in about {hours} h, "
        "or confirm (+1) a threat already on the map.",
        headers={"Retry-After": str(exc.retry_after_s)},
    )


def _broker_unavailable(_: BrokerUnavailable) -> ApiError:
    return ApiError(
        503,
        "broker_unavailable",
        "Chwilowo nie możemy przyjąć zgłoszenia. Spróbuj ponownie za chwilę.",
        "We cannot accept the report right now. Please try again shortly.",
        headers={"Retry-After": "5"},
    )


def _threat_not_found(_: ThreatNotFound) -> ApiError:
    return ApiError(
        404,
        "threat_not_found",
        "Nie znaleziono otwartego zagrożenia o tym identyfikatorze.",
        "No open threat with this id.",
    )


def _attachment_not_found(_: AttachmentNotFound) -> ApiError:
    return ApiError(404, "attachment_not_found", "Nie znaleziono załącznika.", "Attachment not found.")


def _attachment_forbidden(_: AttachmentForbidden) -> ApiError:
    return ApiError(
        403,
        "attachment_forbidden",
        "Ten załącznik należy do zgłoszenia spoza Twoich jednostek.",
        "This attachment belongs to a report outside your units.",
    )


USE_CASE_ERRORS: dict[type[Exception], Callable[[Exception], ApiError]] = {
    ReportRejected: _rejected,  # type: ignore[dict-item]
    RateLimited: _rate_limited,  # type: ignore[dict-item]
    BrokerUnavailable: _broker_unavailable,  # type: ignore[dict-item]
    ThreatNotFound: _threat_not_found,  # type: ignore[dict-item]
    AttachmentNotFound: _attachment_not_found,  # type: ignore[dict-item]
    AttachmentForbidden: _attachment_forbidden,  # type: ignore[dict-item]
}
"""Each use-case error and how it answers; ``tuple(USE_CASE_ERRORS)`` is what a route maps."""

_COUNTED = (ReportRejected, RateLimited, BrokerUnavailable)


def as_api_error(exc: Exception) -> ApiError:
    """The HTTP error of a use-case failure (re-raised when it is none); counts refused reports by code."""
    for kind, to_error in USE_CASE_ERRORS.items():
        if isinstance(exc, kind):
            err = to_error(exc)
            if isinstance(exc, _COUNTED):
                REJECTED.labels(err.code).inc()
            return err
    raise exc
