"""The one way a service's FastAPI app is made: /docs and /redoc from assets shipped in a package.

FastAPI's own /docs and /redoc load Swagger UI and ReDoc from a CDN, so they are blank without
internet. ``fastapi-offline`` (PyPI) ships swagger-ui-dist and redoc's standalone bundle inside
its wheel and serves them from the app itself. The two pages also carry a Content-Security-Policy
that allows only this origin: ReDoc's sidebar would otherwise load the Redocly logo from its CDN.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DOCS_STATIC_URL", "DOCS_PAGES", "DOCS_CSP", "create_api"]

DOCS_STATIC_URL = "/docs-static"
"""Where the Swagger UI and ReDoc assets are served."""

DOCS_PAGES = ("/docs", "/redoc")

# The pages' bootstrap scripts are inline; ReDoc starts a worker from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)

# Swagger UI asks validator.swagger.io about the schema unless told not to.
_SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


class _DocsPolicy:
    """Adds :data:`DOCS_CSP` to the responses of the documentation pages only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in DOCS_PAGES:
            await self.app(scope, receive, send)
            return

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", DOCS_CSP.encode())]
            await send(message)

        await self.app(scope, receive, with_policy)


def create_api(*, title: str, **kwargs: Any) -> FastAPI:
    """A FastAPI app whose /docs (Swagger UI) and /redoc use only the packaged assets."""
    app = FastAPIOffline(
        title=title,
        static_url=DOCS_STATIC_URL,
        favicon_url=f"{DOCS_STATIC_URL}/favicon.png",
        swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
        **kwargs,
    )
    app.add_middleware(_DocsPolicy)
    return app
