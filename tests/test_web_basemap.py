"""A deployment's real basemap and address geocoder, with the network replaced by Playwright routes.

A second intake of the stack is started with the tile and geocoder settings pointing at hosts that do not
exist (``*.tiles.kmzb.test``, ``geocoder.kmzb.test``); the browser's requests to them are answered by
``page.route`` with a fixture PNG and a Nominatim-style answer. The page's CSP, generated from the same
settings, must let them through.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Page, Route, expect
from web_browser import browser_page, run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import SERVICES, free_port, service_env, start_service

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
TILES = "https://{s}.tiles.kmzb.test/{z}/{x}/{y}.png"
GEOCODER = "https://geocoder.kmzb.test/search"
FLORIANSKA = [
    {
        "display_name": "12, Floriańska, Stare Miasto, Kraków, województwo małopolskie, 31-021, Polska",
        "lat": "50.0633",
        "lon": "19.9398",
    }
]


@pytest.fixture(scope="module")
def tiled_intake(stack: Stack) -> Iterator[str]:
    """An intake like the stack's, with a tile layer and a geocoder configured; its base URL."""
    port = free_port()
    extra = {f"KMZB_INTAKE_WEB_{n.upper().replace('-', '_')}_URL": stack.url(n) for n in SERVICES if n != "intake"}
    extra |= {
        "KMZB_INTAKE_WEB_TILE_URL": TILES,
        "KMZB_INTAKE_WEB_TILE_ATTRIBUTION": "© kafelki testowe",
        "KMZB_INTAKE_WEB_GEOCODER_URL": GEOCODER,
        "KMZB_INTAKE_WEB_GEOCODER_ATTRIBUTION": "© adresy testowe",
        "KMZB_INTAKE_WEB_GEOCODER_TIMEOUT_S": "1.5",
    }
    env = service_env("intake", bootstrap=stack.broker.bootstrap, port=port, extra=extra)
    proc = start_service("intake", SERVICES["intake"][0], port=port, env=env, log_dir=stack.log_dir / "tiled")
    try:
        yield proc.url
    finally:
        proc.stop()


@pytest.fixture
def phone(playwright_instance) -> Iterator[Page]:  # noqa: ANN001
    yield from browser_page(playwright_instance, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


def fixture_png() -> bytes:
    """A 256 px tile: light green with a darker border, so a loaded tile is visible in the screenshots."""
    tile = Image.new("RGB", (256, 256), (200, 230, 201))
    for i in range(256):
        for x, y in ((i, 0), (i, 255), (0, i), (255, i)):
            tile.putpixel((x, y), (46, 125, 50))
    out = io.BytesIO()
    tile.save(out, format="PNG")
    return out.getvalue()


def ready(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)


def csp_violations(page: Page) -> list[str]:
    """Console messages of blocked loads, collected from now on."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


@pytest.mark.parametrize("width", [390, 320])
def test_the_configured_tile_layer_is_requested_and_rendered(
    tiled_intake: str,
    playwright_instance,  # noqa: ANN001
    width: int,
) -> None:
    """Tiles come from the configured template (its subdomains too), load as images, carry their attribution;
    the CSP built from the same setting lets them in; the page still reflows."""
    requested: list[str] = []
    png = fixture_png()

    def serve(route: Route) -> None:
        requested.append(route.request.url)
        route.fulfill(status=200, body=png, headers={"Content-Type": "image/png"})

    for page in browser_page(playwright_instance, viewport={"width": width, "height": 844}):
        page.route(re.compile(r"^https://[a-c]\.tiles\.kmzb\.test/"), serve)
        blocked = csp_violations(page)
        ready(page, tiled_intake + "/mapa?lat=50.0614&lon=19.9366&zoom=13")
        loaded = page.locator("img.leaflet-tile-loaded")
        expect(loaded.first).to_be_visible(timeout=20_000)
        assert requested and all(re.match(r"^https://[a-c]\.tiles\.kmzb\.test/13/\d+/\d+\.png$", u) for u in requested)
        widths = loaded.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert widths and set(widths) == {256}
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("© kafelki testowe")
        assert blocked == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"kafelki-{width}.png"))


def test_a_street_address_comes_from_the_geocoder_and_reaches_its_unit(tiled_intake: str, phone: Page) -> None:
    """'Floriańska 12' is asked of the geocoder (Poland only); the address is offered, chosen by keyboard, and
    the page names the unit that owns it; the geocoder's attribution is shown."""
    asked: list[dict] = []

    def answer(route: Route) -> None:
        asked.append(parse_qs(urlsplit(route.request.url).query))
        route.fulfill(status=200, body=json.dumps(FLORIANSKA), headers={"Content-Type": "application/json"})

    phone.route(f"{GEOCODER}?*", answer)
    blocked = csp_violations(phone)
    ready(phone, tiled_intake + "/mapa")
    expect(phone.locator("#geocoder-source")).to_contain_text("© adresy testowe")
    box = phone.get_by_role("combobox", name="Miejscowość")
    box.fill("Floriańska 12")
    option = phone.get_by_role("option", name=re.compile("Floriańska"))
    expect(option).to_be_visible()
    assert asked and asked[-1]["q"] == ["Floriańska 12"] and asked[-1]["countrycodes"] == ["pl"]
    box.press("ArrowDown")
    box.press("Enter")
    expect(phone.locator("#location-status")).to_contain_text("12, Floriańska, Stare Miasto, Kraków")
    expect(phone.locator("#location-unit")).to_contain_text("Komenda Miejska Policji")
    expect(phone.locator("#report-place-notice")).to_be_hidden()
    assert blocked == []
    assert run_axe(phone) == []
    phone.screenshot(path=str(SCREENSHOTS / "geokoder-adres.png"))


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_a_failing_geocoder_falls_back_to_the_offline_place_search_with_a_message(
    tiled_intake: str, phone: Page, failure: str
) -> None:
    """A 503 or no answer within the timeout: the page says only towns are suggested, and towns still are."""

    def fail(route: Route) -> None:
        if failure == "error":
            route.fulfill(status=503, body="{}", headers={"Content-Type": "application/json"})
        # "timeout": the request is left unanswered; the page gives up after the configured 1.5 s.

    phone.route(f"{GEOCODER}?*", fail)
    ready(phone, tiled_intake + "/mapa")
    box = phone.get_by_role("combobox", name="Miejscowość")
    box.fill("Floriańska 12")
    notice = phone.locator("#report-place-notice")
    expect(notice).to_contain_text("Wyszukiwarka adresów nie odpowiedziała", timeout=10_000)
    box.fill("wielicz")
    expect(phone.get_by_role("option", name=re.compile("^Wieliczka"))).to_be_visible()
    expect(notice).to_be_hidden()
    phone.screenshot(path=str(SCREENSHOTS / f"geokoder-{failure}.png"))
