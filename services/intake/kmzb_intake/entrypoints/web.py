"""The web pages: public map with the report form, embeddable map, help, dashboard, officer console.

The bundle is built from services/intake/web (esbuild) into ../static and committed, so serving
needs no Node. The pages reach the other services through a small same-origin proxy
(/svc/<service>/api/v1/...), so no service needs CORS; only their /api/v1 routes are reachable.
"""

from __future__ import annotations

import json
import logging
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from kmzb_common.http import ApiError

from ..settings import IntakeSettings
from ..workflow import PublicReports

__all__ = ["mount_web", "PAGES"]

STATIC = Path(__file__).resolve().parent.parent / "static"

# URL path -> page file: Polish paths, as residents see them.
PAGES = {
    "/mapa": "mapa.html",
    "/osadzenie": "osadzenie.html",
    "/pomoc": "pomoc.html",
    "/regulamin": "regulamin.html",
    "/panel": "panel.html",
    "/terminowosc": "terminowosc.html",
    "/konsola": "konsola.html",
}

_HTML = "text/html; charset=utf-8"
_FORWARD_REQUEST = ("authorization", "content-type", "accept", "accept-language", "last-event-id")
_FORWARD_RESPONSE = ("content-type", "cache-control", "retry-after", "www-authenticate", "location")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _upstreams(settings: IntakeSettings) -> dict[str, str]:
    return {
        "notifier": settings.web_notifier_url.rstrip("/"),
        "stats": settings.web_stats_url.rstrip("/"),
        "geo-router": settings.web_geo_router_url.rstrip("/"),
    }


def mount_web(app: FastAPI, settings: IntakeSettings, *, public: PublicReports) -> None:
    """Serve the pages, their assets, /config.js and the same-origin proxy on ``app``."""
    upstreams = _upstreams(settings)
    # httpx logs every request at INFO: the proxy would flood the intake's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    router = APIRouter(include_in_schema=False)
    # One client per proxied request, closed with its response (the app's lifespan is the
    # intake's own); the TLS context, the costly part, is made once.
    tls = ssl.create_default_context()

    @router.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse("/mapa", status_code=307)

    def page_route(file: str):  # noqa: ANN202 - a closure per page
        async def page() -> FileResponse:
            return FileResponse(STATIC / "pages" / file, media_type="text/html; charset=utf-8")

        return page

    for path, file in PAGES.items():
        router.add_api_route(path, page_route(file), methods=["GET"])

    @router.get("/zgloszenie/{report_id}")
    async def follow_up(report_id: str) -> FileResponse:
        # The page itself reads the report through the API; an unknown id is a 404 page.
        try:
            known = await public.state(str(uuid.UUID(report_id))) is not None
        except ValueError:
            known = False
        if not known:
            return FileResponse(STATIC / "pages" / "nie-znaleziono.html", status_code=404, media_type=_HTML)
        return FileResponse(STATIC / "pages" / "zgloszenie.html", media_type=_HTML)

    @router.get("/config.js")
    async def config_js() -> Response:
        services = {name: (f"/svc/{name}" if settings.web_proxy else url) for name, url in upstreams.items()}
        config = {
            "services": services,
            "tileUrl": settings.web_tile_url,
            "tileAttribution": settings.web_tile_attribution,
        }
        body = f"window.KMZB_CONFIG = {json.dumps(config, ensure_ascii=False)};\n"
        return Response(body, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})

    if settings.web_proxy:

        @router.api_route("/svc/{service}/api/v1/{rest:path}", methods=_METHODS)
        async def proxy(service: str, rest: str, request: Request) -> Response:
            base = upstreams.get(service)
            if base is None or any(seg in (".", "..") for seg in rest.split("/")):
                raise ApiError(404, "not_found", "Nie znaleziono.", "Not found.")
            headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARD_REQUEST}
            client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=None), verify=tls)
            upstream = client.build_request(
                request.method,
                f"{base}/api/v1/{rest}",
                params=request.query_params,
                headers=headers,
                content=await request.body(),
            )
            try:
                resp = await client.send(upstream, stream=True)
            except httpx.HTTPError:
                await client.aclose()
                raise ApiError(
                    502,
                    "upstream_unavailable",
                    "Usługa chwilowo niedostępna. Spróbuj ponownie za chwilę.",
                    "The service is unavailable right now. Please try again shortly.",
                ) from None

            async def body() -> AsyncIterator[bytes]:
                # Closed when the stream ends or the browser goes away (an SSE feed never ends).
                try:
                    async for chunk in resp.aiter_raw():
                        yield chunk
                finally:
                    await resp.aclose()
                    await client.aclose()

            out = {k: v for k, v in resp.headers.items() if k.lower() in _FORWARD_RESPONSE}
            return StreamingResponse(body(), status_code=resp.status_code, headers=out)

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
