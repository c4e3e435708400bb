"""The web pages in headless Chromium against the running stack: report, map, dashboard, axe-core."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from web_browser import run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import wait_until

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
PAGES = [
    "/mapa",
    "/mapa?lang=en",
    "/osadzenie?lat=50.06&lon=19.94&zoom=11",
    "/pomoc",
    "/pomoc?lang=en",
    "/panel",
    "/konsola",
]


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_resident_reports_a_threat_by_keyboard_and_sees_it_on_the_map(stack: Stack, page: Page) -> None:
    """Without touching the map, a resident types a town, picks a category, accepts the terms and sends."""
    page.goto(stack.url("intake") + "/mapa")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.get_by_role("note")).to_contain_text("W nagłych wypadkach dzwoń pod 112 lub 997")
    place = page.get_by_role("combobox", name="Miejscowość")
    place.focus()
    page.keyboard.type("krak")
    expect(page.get_by_role("option").first).to_contain_text("Kraków")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#location-status")).to_contain_text("Wybrano miejsce: Kraków")
    expect(page.get_by_label("Szerokość geograficzna")).to_have_value("50,06143")
    page.get_by_label("Kategoria zagrożenia").select_option(label="Nieprawidłowe parkowanie")
    page.get_by_label("Opis (opcjonalnie, do 500 znaków)").fill("Auta stoją na chodniku przy szkole.")
    page.get_by_label(re.compile("Akceptuję regulamin")).check()
    page.get_by_role("button", name="Wyślij zgłoszenie").press("Enter")
    expect(page.locator("#report-result")).to_be_visible(timeout=20_000)
    expect(page.locator("#report-result")).to_contain_text("Zgłoszenie przyjęte")
    report_id = page.locator("#result-link").get_attribute("href").rsplit("/", 1)[-1]
    mine = page.locator(".kmzb-mine")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("title", "Twoje zgłoszenie: Nieprawidłowe parkowanie")
    expect(mine).to_be_visible()
    with stack.client("intake") as c:
        assert c.get(f"/api/v1/reports/{report_id}").status_code == 200
    expect(page.locator("#report-route")).to_contain_text("Zgłoszenie trafiło do jednostki", timeout=40_000)
    shot(page, "mapa-zgloszenie")


def test_a_bad_report_shows_what_to_fix_and_focuses_the_field(stack: Stack, page: Page) -> None:
    """Sending without a place lists the problems at the top, each linked to its field, and beside the field."""
    page.goto(stack.url("intake") + "/mapa")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Wskaż miejsce")
    expect(page.locator("#report-place-error")).to_contain_text("Wskaż miejsce")
    summary.get_by_role("link", name=re.compile("Wskaż miejsce")).click()
    expect(page.get_by_role("combobox", name="Miejscowość")).to_be_focused()


def test_clicking_the_map_sets_the_place_of_the_report(stack: Stack, page: Page) -> None:
    """A click on the map fills in the coordinates of the report."""
    page.goto(stack.url("intake") + "/mapa")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    page.locator("#map").click(position={"x": 400, "y": 300})
    expect(page.locator("#location-status")).to_contain_text("Wybrano miejsce")
    lat = float(page.get_by_label("Szerokość geograficzna").input_value().replace(",", "."))
    assert 45 < lat < 58


def test_the_english_switch_translates_the_page(stack: Stack, page: Page) -> None:
    """The language link turns the map page into English and keeps the emergency notice."""
    page.goto(stack.url("intake") + "/mapa")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Report a threat")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("In an emergency call 112 or 997")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_the_dashboard_shows_hotspot_hexagons(stack: Stack, page: Page) -> None:
    """Once reports are counted, the dashboard draws their H3 hexagons and the category chart."""
    with stack.client("intake") as c:
        for lon in (19.93, 19.94, 19.95):
            body = {"category": "PRZEKRACZANIE_PREDKOSCI", "lat": 50.06, "lon": lon, "terms_accepted": True}
            # One report per device per day: each comes from its own device.
            c.cookies.set("kmzb_device", uuid.uuid4().hex)
            answer = c.post("/api/v1/reports", json=body)
            assert answer.status_code == 202, answer.text
    with stack.client("stats") as s:
        wait_until(lambda: len(s.get("/api/v1/hotspots").json()["features"]) > 0, timeout_s=60, what="hotspots")
    page.goto(stack.url("intake") + "/panel")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.locator("path.kmzb-hex").first).to_be_visible()
    assert page.locator("path.kmzb-hex").count() > 0
    expect(page.locator("#chart-categories table")).to_contain_text("Przekraczanie dozwolonej prędkości")
    shot(page, "panel-hotspoty")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_no_axe_violations(stack: Stack, page: Page, path: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA (or best-practice) violation on the page."""
    page.goto(stack.url("intake") + path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    violations = run_axe(page)
    shot(page, "axe-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))
    assert violations == []


def test_the_intake_serves_the_pages_config_and_only_the_services_public_apis(stack: Stack) -> None:
    """Pages and /config.js are served; /svc/ forwards /api/v1 calls with their query and errors, nothing else."""
    with stack.client("intake") as c:
        for path in ("/mapa", "/osadzenie", "/pomoc", "/regulamin", "/dostepnosc", "/lista", "/panel", "/konsola"):
            answer = c.get(path)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
            assert "W nagłych wypadkach dzwoń pod 112 lub 997" in answer.text
        assert c.get("/").headers["location"] == "/mapa"
        config = c.get("/config.js").text
        assert '"notifier": "/svc/notifier"' in config and '"tileUrl": null' in config
        hexes = c.get("/svc/stats/api/v1/hotspots")
        assert hexes.status_code == 200 and hexes.headers["content-type"] == "application/geo+json"
        unit = c.get("/svc/geo-router/api/v1/units/lookup", params={"lat": 50.06, "lon": 19.94})
        assert unit.status_code == 200 and unit.json()["unit_id"] == "KMP-1261"
        cells = ["881e2eb5adfffff", "881e2e6b15fffff"]  # Kielce, Kraków
        named = c.get("/svc/geo-router/api/v1/cells/places", params={"cell": cells})
        assert sorted(p["cell"] for p in named.json()["places"]) == sorted(cells), "every repeated value is forwarded"
        refused = c.get("/svc/stats/api/v1/hotspots", params={"category": "NIE_MA"}, headers={"Accept-Language": "en"})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "unknown_category"
        assert c.get("/svc/stats/metrics").status_code == 404
        assert c.get("/svc/mongo/api/v1/anything").status_code == 404


@pytest.mark.parametrize(
    ("lang", "zoom_in", "zoom_out"), [("pl", "Przybliż mapę", "Oddal mapę"), ("en", "Zoom in", "Zoom out")]
)
def test_the_maps_zoom_buttons_and_disclosures_read_in_the_pages_language(
    stack: Stack, page: Page, lang: str, zoom_in: str, zoom_out: str
) -> None:
    """Leaflet names its buttons in English; they follow the page. A <details> summary shows it opens (▸/▾)."""
    page.goto(stack.url("intake") + f"/mapa?lang={lang}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.get_by_role("button", name=zoom_in)).to_be_visible()
    expect(page.get_by_role("button", name=zoom_out)).to_be_visible()
    summary = page.locator("main details > summary").first
    marker = "getComputedStyle(el, '::before').content"
    assert summary.evaluate(f"el => {marker}") == '"▸"'
    summary.click()
    assert summary.evaluate(f"el => {marker}") == '"▾"'
