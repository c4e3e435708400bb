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
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from kmzb_common.http import ApiError
from kmzb_contracts import FEED_MAX_SPAN

from ..domain.short_code import parse_short_code
from ..domain.validation import MAX_DESCRIPTION
from ..settings import IntakeSettings
from ..workflow import PublicReports

__all__ = ["mount_web", "page_csp", "PAGES"]

STATIC = Path(__file__).resolve().parent.parent / "static"

# URL path -> page file: Polish paths, as residents see them.
PAGES = {
    "/mapa": "mapa.html",
    "/osadzenie": "osadzenie.html",
    "/pomoc": "pomoc.html",
    "/regulamin": "regulamin.html",
    "/dostepnosc": "dostepnosc.html",
    "/lista": "lista.html",
    "/panel": "panel.html",
    "/terminowosc": "terminowosc.html",
    "/konsola": "konsola.html",
}

_HTML = "text/html; charset=utf-8"
_FORWARD_REQUEST = ("authorization", "content-type", "accept", "accept-language", "last-event-id", "if-match")
_FORWARD_RESPONSE = ("content-type", "cache-control", "retry-after", "www-authenticate", "location", "etag")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _upstreams(settings: IntakeSettings) -> dict[str, str]:
    return {
        "notifier": settings.web_notifier_url.rstrip("/"),
        "stats": settings.web_stats_url.rstrip("/"),
        "geo-router": settings.web_geo_router_url.rstrip("/"),
    }


def _origin(url: str) -> str:
    """The CSP source of a URL (template): scheme and host; a {s} subdomain becomes a wildcard."""
    parts = urlsplit(url.replace("{s}", "subdomain-placeholder"))
    host = (parts.netloc or "").replace("subdomain-placeholder", "*")
    return f"{parts.scheme}://{host}"


def page_csp(settings: IntakeSettings) -> str:
    """The pages' Content-Security-Policy, generated from the settings that make the browser go elsewhere.

    img-src adds the tile server, connect-src the geocoder and (without the proxy) the other services;
    nothing else is reachable. Styles allow 'unsafe-inline': Leaflet and the status badges set style
    attributes in the markup they build.
    """
    images = ["'self'", "data:", "blob:"]
    if settings.web_tile_url:
        images.append(_origin(settings.web_tile_url))
    connect = ["'self'"]
    if settings.web_geocoder_url:
        connect.append(_origin(settings.web_geocoder_url))
    if not settings.web_proxy:
        connect.extend(sorted({_origin(url) for url in _upstreams(settings).values()}))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(images)}",
            f"connect-src {' '.join(connect)}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


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

    csp = {"Content-Security-Policy": page_csp(settings)}

    def page_file(file: str, *, status_code: int = 200) -> FileResponse:
        return FileResponse(STATIC / "pages" / file, status_code=status_code, media_type=_HTML, headers=csp)

    def page_route(file: str):  # noqa: ANN202 - a closure per page
        async def page() -> FileResponse:
            return page_file(file)

        return page

    for path, file in PAGES.items():
        router.add_api_route(path, page_route(file), methods=["GET"])

    async def by_number(text: str, request: Request) -> Response:
        # A short number ("9DF4-47F9") leads to the full id's page; an unknown or shared one is the 404 page.
        code = parse_short_code(text)
        found = await public.id_of_number(code) if code is not None else None
        if found is None:
            return page_file("nie-znaleziono.html", status_code=404)
        lang = request.query_params.get("lang")
        return RedirectResponse(f"/zgloszenie/{found}" + ("?lang=en" if lang == "en" else ""), status_code=303)

    @router.get("/zgloszenie")
    async def follow_up_form(request: Request, numer: str = "") -> Response:
        return await by_number(numer, request)

    @router.get("/zgloszenie/{report_id}")
    async def follow_up(report_id: str, request: Request) -> Response:
        # The page itself reads the report through the API; an unknown id is a 404 page.
        if parse_short_code(report_id) is not None:
            return await by_number(report_id, request)
        try:
            known = await public.state(str(uuid.UUID(report_id))) is not None
        except ValueError:
            known = False
        if not known:
            return page_file("nie-znaleziono.html", status_code=404)
        return page_file("zgloszenie.html")

    @router.get("/config.js")
    async def config_js() -> Response:
        services = {name: (f"/svc/{name}" if settings.web_proxy else url) for name, url in upstreams.items()}
        config = {
            "services": services,
            "tileUrl": settings.web_tile_url,
            "tileAttribution": settings.web_tile_attribution,
            "geocoder": {
                "url": settings.web_geocoder_url,
                "attribution": settings.web_geocoder_attribution,
                "timeoutMs": int(settings.web_geocoder_timeout_s * 1000),
            },
            "feedMaxSpan": list(FEED_MAX_SPAN),
            "maxDescription": MAX_DESCRIPTION,
            "accessibility": settings.accessibility.model_dump(mode="json"),
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
                # Every value of a repeated parameter (?cell=a&cell=b), not only the last.
                params=request.query_params.multi_items(),
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
