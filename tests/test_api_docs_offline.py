"""/docs and /redoc of every service render in headless Chromium from local assets alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from conftest import ARTIFACTS, Stack
from kmzb_devstack import SERVICES

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
TITLES = {"intake": "KMZB intake", "notifier": "KMZB notifier", "stats": "KMZB stats", "geo-router": "KMZB geo-router"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _record_outside_requests(page: Page) -> list[str]:
    """Every request the page makes to a host other than this machine, refused so it cannot hang."""
    outside: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


@pytest.mark.parametrize("service", SERVICES)
def test_swagger_ui_renders_with_no_outside_request(stack: Stack, page: Page, service: str) -> None:
    """Swagger UI at /docs shows the service's title and operations, and asks nothing of another host."""
    outside = _record_outside_requests(page)
    page.goto(stack.url(service) + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(TITLES[service], timeout=20_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"docs-{service}.png"))
    assert outside == []


@pytest.mark.parametrize("service", SERVICES)
def test_redoc_renders_with_no_outside_request(stack: Stack, page: Page, service: str) -> None:
    """ReDoc at /redoc shows the service's title and its operations menu, and asks nothing of another host."""
    outside = _record_outside_requests(page)
    page.goto(stack.url(service) + "/redoc")
    expect(page.locator(".api-info h1")).to_contain_text(TITLES[service], timeout=20_000)
    expect(page.locator("[role=menuitem]").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"redoc-{service}.png"))
    assert outside == []
