"""What every intake entrypoint shares: device identity, idempotency, JSON answers, the 112 notice header."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kmzb_common.http import ApiError
from kmzb_common.ids import token_urlsafe
from kmzb_common.mongo import run_db

from ..adapters.guards import IdempotencyStore
from ..domain.device import client_address, device_key_hash
from ..settings import IntakeSettings
from ..workflow import Device

__all__ = [
    "DEVICE_COOKIE",
    "NOTICE_HEADER",
    "DeviceResolver",
    "Idempotency",
    "install_notice_header",
    "json_answer",
    "set_device_cookie",
]

DEVICE_COOKIE = "kmzb_device"
NOTICE_HEADER = "X-KMZB-Emergency"
NOTICE_VALUE = "W naglych wypadkach dzwon pod 112 lub 997 (in an emergency call 112 or 997)"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class DeviceResolver:
    """Derives the device from the client address and the device cookie; only keyed hashes leave it."""

    def __init__(self, settings: IntakeSettings) -> None:
        self._secrets = [settings.device_key_secret.get_secret_value().encode()] + [
            s.get_secret_value().encode() for s in settings.device_key_previous_secrets
        ]
        self._trusted = frozenset(settings.trusted_proxies)

    def resolve(self, request: Request, *, token: str | None = None) -> tuple[Device, str | None]:
        """The device and, when the client had no valid cookie, the new token to set."""
        new_token = None
        if token is None:
            token = request.cookies.get(DEVICE_COOKIE)
            if token is None or not _TOKEN.match(token):
                token = new_token = token_urlsafe(24)
        address = client_address(
            peer=request.client.host if request.client else "unknown",
            forwarded_for=request.headers.get("x-forwarded-for"),
            trusted_proxies=self._trusted,
        )
        hashes = tuple(device_key_hash(secret=s, address=address, device_token=token) for s in self._secrets)
        return Device(hashes), new_token


def set_device_cookie(response: Response, token: str | None) -> None:
    """Give a new device its token (HttpOnly; a year)."""
    if token is not None:
        response.set_cookie(DEVICE_COOKIE, token, max_age=365 * 86400, httponly=True, samesite="lax")


class Idempotency:
    """Runs a POST handler at most once per Idempotency-Key (scoped by route and caller)."""

    def __init__(self, store: IdempotencyStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    async def run(
        self,
        request: Request,
        *,
        scope: str,
        caller: str,
        fingerprint: Callable[[], str],
        handler: Callable[[str | None], Awaitable[tuple[int, dict[str, Any]]]],
    ) -> tuple[int, dict[str, Any], bool]:
        """(status, body, replayed): the handler's answer, or the first answer to this key.

        ``fingerprint`` gives the request's content, compared with the first request's; it is
        called only when the request has a key.

        The handler gets a seed derived from the key (None without one) from which it derives the
        ids of what it publishes: a message the broker took after the request had already failed
        carries the same ids as the retry, so consumers, idempotent by event id, keep one.
        """
        key = request.headers.get("idempotency-key")
        if key is None:
            status, body = await handler(None)
            return status, body, False
        if not _IDEMPOTENCY_KEY.match(key):
            raise ApiError(
                400,
                "invalid_idempotency_key",
                "Nagłówek Idempotency-Key musi mieć od 1 do 255 drukowalnych znaków ASCII.",
                "The Idempotency-Key header must have 1 to 255 printable ASCII characters.",
            )
        record_id = hashlib.sha256(f"{scope}|{caller}|{key}".encode()).hexdigest()
        digest = hashlib.sha256(fingerprint().encode()).hexdigest()
        existing = await run_db(self._store.claim, record_id, fingerprint=digest, now=self._clock())
        if existing is not None:
            if existing.fingerprint != digest:
                raise ApiError(
                    422,
                    "idempotency_key_reused",
                    "Ten klucz Idempotency-Key użyto już dla innego żądania.",
                    "This Idempotency-Key was already used for a different request.",
                )
            if existing.pending:
                raise ApiError(
                    409,
                    "idempotency_in_progress",
                    "Poprzednie żądanie z tym kluczem jest jeszcze przetwarzane. Spróbuj za chwilę.",
                    "The earlier request with this key is still being processed. Try again shortly.",
                    headers={"Retry-After": "1"},
                )
            assert existing.status is not None and existing.body is not None
            return existing.status, existing.body, True
        try:
            status, body = await handler(record_id)
        except BaseException:
            await run_db(self._store.abandon, record_id)
            raise
        await run_db(self._store.complete, record_id, status=status, body=body)
        return status, body, False


def json_answer(status: int, body: dict[str, Any], *, replayed: bool, new_token: str | None = None) -> JSONResponse:
    """The JSON response, marked when replayed, with the device cookie when new."""
    response = JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"} if replayed else None)
    set_device_cookie(response, new_token)
    return response


def install_notice_header(app: FastAPI) -> None:
    """Every response of the intake, errors included, carries the 112/997 notice in a header.

    A plain ASGI wrapper of ``send``: Starlette's BaseHTTPMiddleware would run every request in
    an extra task with its own streams, which cost about a fifth of a report's CPU time.
    """
    notice = (NOTICE_HEADER.lower().encode("latin-1"), NOTICE_VALUE.encode("latin-1"))

    class _Notice:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return

            async def send_with_notice(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0] != notice[0]]
                    message = {**message, "headers": [*headers, notice]}
                await send(message)

            await self.app(scope, receive, send_with_notice)

    app.add_middleware(_Notice)
