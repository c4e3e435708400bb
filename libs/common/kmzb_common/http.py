"""The one error format and the health, readiness and metrics routes of every service."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "ApiError",
    "ReadinessCheck",
    "install_common_routes",
    "install_load_shedding",
    "error_response",
    "error_mapping_route",
    "EMERGENCY_NOTICE",
]

log = logging.getLogger(__name__)

EMERGENCY_NOTICE = {
    "pl": "KMZB nie służy do powiadamiania o zdarzeniach wymagających natychmiastowej interwencji. "
    "W nagłych wypadkach dzwoń pod 112 lub 997.",
    "en": "KMZB is not for emergencies. In an emergency call 112 or 997.",
}

ReadinessCheck = Callable[[], Awaitable[None]]
"""An async check that raises when a dependency is not ready."""


class ApiError(Exception):
    """An error with a stable machine code and a Polish and English message."""

    def __init__(
        self,
        status: int,
        code: str,
        message_pl: str,
        message_en: str,
        *,
        headers: Mapping[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message_pl = message_pl
        self.message_en = message_en
        self.headers = dict(headers or {})
        self.details = details or []


def _wants_english(request: Request) -> bool:
    lang = request.headers.get("accept-language", "").strip().lower()
    return lang.startswith("en")


def error_response(request: Request, err: ApiError) -> JSONResponse:
    """The JSON body every error has: a code, a message in the asked language, details."""
    english = _wants_english(request)
    body = {
        "error": {
            "code": err.code,
            "message": err.message_en if english else err.message_pl,
            "details": err.details,
        }
    }
    return JSONResponse(body, status_code=err.status, headers=err.headers)


def error_mapping_route(
    errors: type[Exception] | tuple[type[Exception], ...], respond: Callable[[Request, Exception], Response]
) -> type[APIRoute]:
    """A route class (``APIRouter(route_class=...)``) whose routes answer ``respond(request, exc)`` for ``errors``.

    One exception handler for a router, where app-wide handlers are not the router's to install:
    use cases raise their own exceptions and the router maps them to its answer format once.
    """

    class MappedErrorsRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def mapped(request: Request) -> Response:
                try:
                    return await handler(request)
                except errors as exc:
                    return respond(request, exc)

            return mapped

    return MappedErrorsRoute


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_common_routes(app: FastAPI, *, checks: Mapping[str, ReadinessCheck]) -> None:
    """Add /healthz, /readyz, /metrics and the one error format to ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field_path(e.get("loc", ())), "reason": e.get("type", "invalid"), "message": e.get("msg")}
            for e in exc.errors()
        ]
        err = ApiError(
            422,
            "invalid_request",
            "Nieprawidłowe dane żądania. Popraw wskazane pola.",
            "Invalid request data. Correct the fields listed.",
            details=details,
        )
        return error_response(request, err)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            400: ("malformed_body", "Nie można odczytać treści żądania.", "The request body cannot be read."),
            404: ("not_found", "Nie znaleziono.", "Not found."),
            405: ("method_not_allowed", "Metoda niedozwolona.", "Method not allowed."),
        }
        code, pl, en = messages.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
        return error_response(request, ApiError(exc.status_code, code, pl, en, headers=exc.headers))

    @app.exception_handler(PyMongoError)
    async def _store_error(request: Request, exc: PyMongoError) -> JSONResponse:
        log.error("store unavailable", extra={"path": request.url.path, "error": str(exc)[:300]})
        err = ApiError(
            503,
            "store_unavailable",
            "Usługa chwilowo niedostępna. Spróbuj ponownie za chwilę.",
            "Service temporarily unavailable. Please try again shortly.",
            headers={"Retry-After": "5"},
        )
        return error_response(request, err)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        err = ApiError(500, "internal_error", "Błąd wewnętrzny serwera.", "Internal server error.")
        return error_response(request, err)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: broker and store answer")
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        ready = True
        for name, check in checks.items():
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                ready = False
                results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


SHED = Counter("http_requests_shed_total", "Requests refused with 503 because too many were in progress")
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def install_load_shedding(
    app: FastAPI, *, max_in_flight: int, retry_after_s: int = 2, exempt_prefixes: tuple[str, ...] = ()
) -> None:
    """Answer 503 with ``Retry-After`` at once while ``max_in_flight`` requests are in progress.

    Beyond its capacity a service would otherwise queue requests until clients time out (a
    minute of waiting, then no answer at all). Probes and metrics are never refused, nor counted;
    neither are paths under ``exempt_prefixes`` (long-lived streams, which would fill the count).
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    messages = {
        "pl": "Serwis jest chwilowo przeciążony. Spróbuj ponownie za chwilę.",
        "en": "The service is overloaded right now. Please try again shortly.",
    }

    class _Shed:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner
            self.in_flight = 0

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] != "http" or path in OPS_PATHS or path.startswith(exempt_prefixes):
                await self.inner(scope, receive, send)
                return
            if self.in_flight >= max_in_flight:
                SHED.inc()
                lang = dict(scope.get("headers", [])).get(b"accept-language", b"").strip().lower()
                message = messages["en" if lang.startswith(b"en") else "pl"]
                body = json.dumps(
                    {"error": {"code": "overloaded", "message": message, "details": []}}, ensure_ascii=False
                ).encode()
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after_s).encode()),
                ]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            self.in_flight += 1
            try:
                await self.inner(scope, receive, send)
            finally:
                self.in_flight -= 1

    app.add_middleware(_Shed)
