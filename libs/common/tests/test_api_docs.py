"""The documentation pages of every service point only at assets the app serves itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kmzb_common.api_docs import DOCS_CSP, create_api


def _client() -> TestClient:
    app = create_api(title="KMZB test")

    @app.get("/api/v1/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    return TestClient(app)


def test_docs_and_redoc_reference_only_local_assets_that_are_served() -> None:
    """Every script, style and icon of /docs and /redoc is a path on the app itself, and the app serves it."""
    client = _client()
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", html)
        assert urls, page
        assert not [u for u in urls if "//" in u], page
        for url in urls:
            if url.endswith((".js", ".css", ".png")):
                assert client.get(url).status_code == 200, url


def test_docs_pages_forbid_other_origins_and_other_routes_keep_their_headers() -> None:
    """/docs and /redoc carry a same-origin Content-Security-Policy; API routes are left as they were."""
    client = _client()
    assert client.get("/redoc").headers["content-security-policy"] == DOCS_CSP
    assert "default-src 'self'" in client.get("/docs").headers["content-security-policy"]
    assert "content-security-policy" not in client.get("/api/v1/ping").headers
