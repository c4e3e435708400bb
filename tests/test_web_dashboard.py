"""The operations dashboard a commander reads: places not H3 ids, classes not z-scores, charts with axes."""

from __future__ import annotations

import json
import random
import re
import uuid

import h3
import httpx
import pytest
from playwright.sync_api import Page, expect
from web_browser import run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import dev_token, wait_until

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
H3_ID = re.compile(r"\b8[0-9a-f]{14}\b")
Z_TEXT = re.compile(r"\bz\s*=|z-score|\bz\s*[:=]?\s*-?\d", re.IGNORECASE)
MAIN_SQUARE = (50.0614, 19.9366)
# The centre of the hotspot cell that holds the Main Square, Kraków's point in the gazetteer: the one
# cell named plainly "Kraków" (its neighbours are "Kraków (0,5 km na północ od centrum)" and so on).
CENTRE_CELL = h3.cell_to_latlng(h3.latlng_to_cell(*MAIN_SQUARE, 8))


@pytest.fixture(scope="module")
def krakow_cluster(stack: Stack) -> None:
    """30 reports planted within ~150 m of the middle of the Main Square's cell, each from its own device."""
    rng = random.Random(15)
    with stack.client("intake") as c:
        for _ in range(30):
            lat, lon = CENTRE_CELL[0] + rng.gauss(0, 0.0006), CENTRE_CELL[1] + rng.gauss(0, 0.0009)
            c.cookies.set("kmzb_device", uuid.uuid4().hex)
            body = {"category": "SPOZYWANIE_ALKOHOLU", "lat": lat, "lon": lon, "terms_accepted": True}
            answer = c.post("/api/v1/reports", json=body)
            assert answer.status_code == 202, answer.text

    def counted() -> bool:
        # The first per-unit call builds the unit's study area: on a loaded machine it may time out once.
        try:
            with stack.client("stats") as s:
                top = s.get("/api/v1/hotspots/top", params={"unit_id": "KMP-1261", "n": 3}).json()["features"]
        except httpx.TimeoutException:
            return False
        return bool(top) and sum(f["properties"]["count"] for f in top) >= 25

    wait_until(counted, timeout_s=90, what="the planted cluster counted")


def test_a_planted_cluster_is_the_top_hotspot_named_krakow_with_a_99_percent_class(
    stack: Stack, krakow_cluster: None
) -> None:
    """/hotspots/top over KMP Kraków's own territory names the cluster "Kraków" and classes it hot at 99 %."""
    with stack.client("stats") as s:
        body = s.get("/api/v1/hotspots/top", params={"unit_id": "KMP-1261", "n": 5}).json()
    top = body["features"][0]["properties"]
    assert top["place"]["label_pl"] == "Kraków" and top["place"]["voivodeship_name_pl"] == "małopolskie"
    assert top["significance"] == "hot_99" and top["q"] <= 0.01 and top["count"] >= 3
    assert body["metadata"]["study_area"] == "unit"


def _open_dashboard(page: Page, stack: Stack, *, lang: str = "pl", width: int = 1366, height: int = 900) -> None:
    session = {"token": dev_token("koordynator.krakow"), "name": "koordynator.krakow", "units": ["KMP-1261"]}
    page.add_init_script(f"sessionStorage.setItem('kmzb.session', {json.dumps(json.dumps(session))});")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(stack.url("intake") + f"/panel?lang={lang}&unit=KMP-1261")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)


def test_the_dashboard_names_places_and_classes_with_no_h3_id_or_z_score_in_its_text(
    stack: Stack, krakow_cluster: None, page: Page
) -> None:
    """The hot-spot table says "Kraków" and "gorący punkt, 99%"; no H3 id and no z-score is in the visible text."""
    _open_dashboard(page, stack)
    expect(page.locator("#table-top")).to_contain_text("Kraków")
    expect(page.locator("#table-top")).to_contain_text("gorący punkt, 99%")
    expect(page.locator("#dash-summary")).to_have_text(re.compile(r"^W okresie „ostatnie 7 dni”: \d+ gorąc"))
    expect(page.locator("#list-patrols li").first).to_contain_text("Kraków")
    # Kraków is a city powiat: its reports per 10,000 residents stand beside the count (GeoNames' population).
    expect(page.locator("#table-powiats tr", has_text="Kraków").first).to_contain_text(re.compile(r"\d,\d"))
    expect(page.locator("#powiats-source")).to_contain_text("GeoNames")
    text = page.locator("body").inner_text()
    assert not H3_ID.search(text), H3_ID.search(text)
    assert not Z_TEXT.search(text), Z_TEXT.search(text)
    assert ".;" not in text and " ." not in text
    assert "reports measure" not in text.lower()
    expect(page.locator(".caveat").first).to_contain_text("a nie przestępczość")
    page.screenshot(path=str(SCREENSHOTS / "panel-1366x900.png"), full_page=True)
    assert run_axe(page) == []


def test_charts_have_axes_with_units_and_a_data_table_behind_them(
    stack: Stack, krakow_cluster: None, page: Page
) -> None:
    """Both charts draw x and y axes with labels; each has its data as a table for screen readers."""
    _open_dashboard(page, stack)
    trends = page.locator("#chart-trends")
    expect(trends.locator("[data-mark='y-axis label']")).to_contain_text("Zgłoszenia na dzień")
    expect(trends.locator("[data-mark='x-axis tick']")).not_to_have_count(0)
    expect(trends.locator("[data-mark='y-axis tick']")).not_to_have_count(0)
    bars = page.locator("#chart-categories")
    expect(bars.locator("[data-mark='x-axis label']")).to_contain_text("Liczba zgłoszeń")
    expect(bars.locator(".kmzb-bar-label text").first).to_be_visible()
    bars.get_by_text("Pokaż dane wykresu w tabeli").click()
    alcohol = "Spożywanie alkoholu w miejscach niedozwolonych"
    expect(bars.locator("table th[scope=row]", has_text=alcohol)).to_be_visible()
    # Each category label fits inside the chart: none runs past the SVG's edges (the "ie alkoholu" bug).
    svg = bars.locator("svg").first.bounding_box()
    assert svg is not None
    for box in [t.bounding_box() for t in bars.locator(".kmzb-bar-label text").all()]:
        assert box is not None and box["x"] >= svg["x"] - 1
        assert box["x"] + box["width"] <= svg["x"] + svg["width"] + 1


def test_in_english_every_dashboard_label_is_translated(stack: Stack, krakow_cluster: None, page: Page) -> None:
    """?lang=en: headings, legend, classes, axes, time bands and sentences are English; no Polish label is left."""
    _open_dashboard(page, stack, lang="en")
    expect(page.get_by_role("heading", name="Hot and cold spots")).to_be_visible()
    expect(page.locator("#table-top")).to_contain_text("hot spot, 99%")
    expect(page.locator("#chart-trends [data-mark='y-axis label']")).to_contain_text("Reports a day")
    expect(page.locator("#list-patrols")).to_contain_text("When:")
    main = page.locator("main").inner_text()
    # Place and category names stay Polish proper names; everything around them is English.
    for polish in ("Zgłoszenia", "gorący", "zimny", "Okres", "Jednostka", "dni", "Kiedy", "wieczorem", "w nocy"):
        assert polish not in main, polish


@pytest.mark.parametrize(("width", "height"), [(390, 844), (320, 700)])
def test_the_dashboard_fits_a_phone_without_horizontal_scrolling(
    stack: Stack, krakow_cluster: None, page: Page, width: int, height: int
) -> None:
    """At phone widths nothing scrolls sideways, not even inside a table, and the hot-spot table still names Kraków."""
    _open_dashboard(page, stack, width=width, height=height)
    expect(page.locator("#table-top")).to_contain_text("Kraków")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A table wider than its card would scroll inside it, its last column out of sight (seen at 320 px).
    cut = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.querySelector('table') && "
        "w.scrollWidth > w.clientWidth + 1).map(w => w.id)"
    )
    assert cut == [], cut
    page.screenshot(path=str(SCREENSHOTS / f"panel-{width}x{height}.png"), full_page=True)


def test_the_filters_work_from_the_keyboard_alone(stack: Stack, krakow_cluster: None, page: Page) -> None:
    """Tabbing to the period, choosing 28 days with the arrow keys reloads the summary for that period."""
    _open_dashboard(page, stack)
    page.locator("#dash-category").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#dash-window")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#dash-summary")).to_contain_text("ostatnie 28 dni")


def test_an_unknown_unit_is_said_next_to_the_field_and_a_known_one_is_suggested(
    stack: Stack, krakow_cluster: None, page: Page
) -> None:
    """KMP-9999 gets "Nie ma jednostki" instead of a quiet switch to all of Poland; kmp-1261 is taken again."""
    _open_dashboard(page, stack)
    field = page.get_by_label("Jednostka (np. KMP-1261)")
    assert page.locator("#dash-units option[value='KMP-1261']").count() == 1
    field.fill("KMP-9999")
    field.press("Enter")
    field.blur()
    error = page.locator("#dash-unit-error")
    expect(error).to_have_text(re.compile("^Nie ma jednostki „KMP-9999”. Wpisz identyfikator z listy"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#study-area")).to_have_text("Obszar analizy: cała Polska.")
    page.screenshot(path=str(SCREENSHOTS / "panel-nieznana-jednostka.png"))
    field.fill("kmp-1261")
    field.blur()
    expect(error).to_be_hidden()
    expect(page.locator("#study-area")).to_contain_text("teren jednostki KMP-1261")


def test_counts_withheld_for_privacy_are_said_under_the_charts(stack: Stack, page: Page) -> None:
    """A unit with one report: the charts show no bar and a gap, and say so under them instead of seeming empty."""
    suwalki = (54.1115, 22.9308)  # one report in KMP Suwałki, which no other test uses
    with stack.client("geo-router") as g:
        unit = g.get("/api/v1/units/lookup", params={"lat": suwalki[0], "lon": suwalki[1]}).json()["unit_id"]
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "BEZPANSKIE_PSY", "lat": suwalki[0], "lon": suwalki[1], "terms_accepted": True}
        assert c.post("/api/v1/reports", json=body).status_code == 202
    with stack.client("stats") as s:
        wait_until(
            lambda: s.get("/api/v1/categories/counts", params={"unit_id": unit}).json()["hidden_categories"] == 1,
            timeout_s=60,
            what="the report counted",
        )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(stack.url("intake") + f"/panel?unit={unit}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.locator("#categories-withheld")).to_have_text(
        "Kategorie pominięte na wykresie (mniej zgłoszeń niż 3, ochrona prywatności): 1."
    )
    expect(page.locator("#trends-withheld")).to_have_text(
        "Dni bez liczby na wykresie, z przerwą w linii (mniej zgłoszeń niż 3, ochrona prywatności): 1."
    )
    page.locator("#cat-title").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "panel-ukryte-liczby.png"))
