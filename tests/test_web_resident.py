"""A resident's journeys in headless Chromium on a phone and at 320 px: the 112 prompt, reflow,
finding the place (search, geolocation, coordinates), the form's messages, following a report."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
from playwright.sync_api import Page, expect
from web_browser import browser_page, run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import wait_until

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
RESIDENT_PAGES = [
    "/mapa",
    "/mapa?lang=en",
    "/osadzenie?lat=50.06&lon=19.94&zoom=11",
    "/pomoc",
    "/pomoc?lang=en",
    "/regulamin",
    "/regulamin?lang=en",
    "/dostepnosc",
    "/dostepnosc?lang=en",
    "/lista",
    "/lista?lang=en",
    "/zgloszenie/nie-ma-takiego",
]


@pytest.fixture
def phone(playwright_instance) -> Iterator[Page]:  # noqa: ANN001
    """A phone-sized page whose device cookie is its own (one report per device a day)."""
    yield from browser_page(playwright_instance, viewport=PHONE, has_touch=True, is_mobile=True)


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def ready(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)


def overflow(page: Page) -> int:
    """How many CSS px the document is wider than the viewport (0 when it reflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def pick_place(page: Page, typed: str, wanted: str) -> None:
    """Type into the town combobox and choose the suggestion ``wanted`` with the keyboard."""
    box = page.get_by_role("combobox", name="Miejscowość")
    box.fill(typed)
    option = page.get_by_role("option", name=re.compile(wanted))
    expect(option.first).to_be_visible()
    names = page.get_by_role("option").all_inner_texts()
    for _ in range(names.index(next(n for n in names if re.search(wanted, n))) + 1):
        box.press("ArrowDown")
    box.press("Enter")


def file_report(page: Page, *, category: str = "Nieprawidłowe parkowanie", description: str = "") -> str:
    """Choose a category, describe, accept the terms, send; the report id from the confirmation link."""
    page.get_by_label("Kategoria zagrożenia").select_option(label=category)
    if description:
        page.get_by_label("Opis (opcjonalnie, do 500 znaków)").fill(description)
    page.get_by_label(re.compile("Akceptuję regulamin")).check()
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(page.locator("#report-result")).to_be_visible(timeout=20_000)
    return page.locator("#result-link").get_attribute("href").split("/")[-1].split("?")[0]


def assert_routed(stack: Stack, report_id: str, unit_id: str) -> None:
    """Wait until the intake's read model says the report reached ``unit_id``."""
    with stack.client("intake") as c:
        wait_until(
            lambda: c.get(f"/api/v1/reports/{report_id}").json().get("unit_id") == unit_id,
            timeout_s=60,
            what=f"routed to {unit_id}",
        )


def test_a_described_emergency_shows_the_112_prompt_while_typing_and_focused_after_sending(
    stack: Stack, phone: Page
) -> None:
    """The page warns as the words are typed; after sending, the intake's prompt is an alert, focused, above the
    confirmation."""
    ready(phone, stack.url("intake") + "/mapa")
    pick_place(phone, "krakow", "Kraków")
    phone.get_by_label("Opis (opcjonalnie, do 500 znaków)").fill("Pobił mnie NOZEM, krwawi")
    typing = phone.locator("#urgent-typing")
    expect(typing).to_be_visible()
    expect(typing).to_have_attribute("role", "alert")
    expect(typing).to_contain_text("Zadzwoń natychmiast pod numer 112")
    shot(phone, "112-podczas-pisania")
    file_report(phone, category="Akty wandalizmu")
    urgent = phone.locator("#urgent-result")
    expect(urgent).to_be_focused()
    expect(urgent).to_have_attribute("role", "alert")
    expect(urgent).to_contain_text("Zadzwoń natychmiast pod numer 112")
    expect(urgent.get_by_role("link", name="Zadzwoń pod 112")).to_have_attribute("href", "tel:112")
    confirmation = phone.locator(".confirmation")
    assert urgent.bounding_box()["y"] < confirmation.bounding_box()["y"]
    assert 0 <= urgent.bounding_box()["y"] < PHONE["height"]
    expect(confirmation).to_contain_text("Zgłoszenie przyjęte")
    shot(phone, "112-po-wyslaniu")


def test_the_112_prompt_follows_the_page_language(stack: Stack, phone: Page) -> None:
    """In English the warning while typing is English."""
    ready(phone, stack.url("intake") + "/mapa?lang=en")
    phone.get_by_label("Description (optional, up to 500 characters)").fill("the house is on fire, pali się")
    expect(phone.locator("#urgent-typing")).to_contain_text("Call 112 now")
    phone.get_by_label("Description (optional, up to 500 characters)").fill("cars park on the pavement")
    expect(phone.locator("#urgent-typing")).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "320"])
@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_no_resident_page_scrolls_sideways_on_a_phone(
    stack: Stack,
    playwright_instance,
    viewport: dict,
    path: str,  # noqa: ANN001
) -> None:
    """WCAG 1.4.10 Reflow: the document is no wider than a 390 px or 320 px viewport."""
    for page in browser_page(playwright_instance, viewport=viewport):
        ready(page, stack.url("intake") + path)
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
        shot(page, f"reflow-{viewport['width']}-{name}", full_page=True)
        assert overflow(page) == 0


def test_on_a_phone_the_map_comes_first_and_the_result_is_scrolled_into_view(stack: Stack, phone: Page) -> None:
    """The map is on the first screen above the form; after sending, the confirmation is on screen and focused."""
    ready(phone, stack.url("intake") + "/mapa")
    map_box = phone.locator("#map").bounding_box()
    assert map_box["y"] < PHONE["height"] / 2 and map_box["width"] >= PHONE["width"] - 40
    assert phone.locator("#report-form").bounding_box()["y"] > map_box["y"] + map_box["height"] - 1
    shot(phone, "telefon-mapa-na-gorze")
    pick_place(phone, "gdansk", "Gdańsk")
    file_report(phone)
    result = phone.locator("#report-result")
    expect(result).to_be_focused()
    top = result.bounding_box()["y"]
    assert 0 <= top < PHONE["height"]
    shot(phone, "telefon-potwierdzenie")


def test_touch_targets_of_the_form_are_at_least_44_px(stack: Stack, phone: Page) -> None:
    """Buttons, fields, selects, summaries and the menu links are at least 44 px tall."""
    ready(phone, stack.url("intake") + "/mapa")
    small = phone.evaluate(
        """() => [...document.querySelectorAll(`main button, main input:not([type=checkbox]), main select,
                 main textarea, main summary, header nav a, .leaflet-control-zoom a`)]
            .filter(el => el.offsetParent !== null)
            .filter(el => el.getBoundingClientRect().height < 44)
            .map(el => el.id || el.textContent.trim())"""
    )
    assert small == []


def test_the_embeddable_map_fits_a_300_px_high_320_px_wide_iframe(stack: Stack, playwright_instance) -> None:  # noqa: ANN001
    """In the smallest supported iframe the notice, the tools and a usable map all fit without scrolling."""
    for page in browser_page(playwright_instance, viewport={"width": 320, "height": 300}):
        ready(page, stack.url("intake") + "/osadzenie?lat=50.06&lon=19.94&zoom=11")
        box = page.locator("#map").bounding_box()
        assert box["height"] >= 150 and box["y"] + box["height"] <= 300
        assert overflow(page) == 0
        assert page.evaluate("document.documentElement.scrollHeight") <= 300
        shot(page, "osadzenie-320x300")


def test_a_town_typed_without_diacritics_is_found_and_the_report_reaches_its_unit(stack: Stack, phone: Page) -> None:
    """'myslenice' suggests Myślenice with its powiat; the page names the receiving unit; the report goes there."""
    ready(phone, stack.url("intake") + "/mapa")
    pick_place(phone, "myslenice", "Myślenice")
    expect(phone.locator("#location-status")).to_contain_text("Myślenice, powiat myślenicki, woj. małopolskie")
    expect(phone.locator("#location-unit")).to_contain_text("Komenda Powiatowa Policji (powiat myślenicki)")
    shot(phone, "miejscowosc-bez-ogonkow")
    report_id = file_report(phone)
    assert_routed(stack, report_id, "KPP-1209")


def test_a_report_by_the_phones_location_reaches_the_unit_of_that_place(stack: Stack, playwright_instance) -> None:  # noqa: ANN001
    """With geolocation allowed (Zakopane emulated), the button sets the place and the report goes to KPP Zakopane."""
    pages = browser_page(
        playwright_instance,
        viewport=PHONE,
        geolocation={"latitude": 49.2992, "longitude": 19.9496},
        permissions=["geolocation"],
    )
    for page in pages:
        ready(page, stack.url("intake") + "/mapa")
        page.get_by_role("button", name="Użyj mojej lokalizacji").click()
        expect(page.locator("#location-status")).to_contain_text("Zakopane")
        expect(page.locator("#location-unit")).to_contain_text("powiat tatrzański")
        shot(page, "moja-lokalizacja")
        report_id = file_report(page)
        assert_routed(stack, report_id, "KPP-1217")


def test_refused_geolocation_says_so_next_to_the_place(stack: Stack, phone: Page) -> None:
    """Without the permission the page explains how to choose the place another way; nothing is set."""
    ready(phone, stack.url("intake") + "/mapa")
    phone.get_by_role("button", name="Użyj mojej lokalizacji").click()
    expect(phone.locator("#report-place-error")).to_contain_text("lokalizacji")
    expect(phone.get_by_label("Szerokość geograficzna")).to_have_value("")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("50,0614, 19,9366", "Kraków"), ("50.0614 19.9366", "Kraków"), ("54,352;18,6466", "Gdańsk")],
)
def test_pasted_coordinates_with_a_decimal_comma_set_the_place(
    stack: Stack, phone: Page, typed: str, expected: str
) -> None:
    """One pasted pair fills both fields, with a decimal comma or point, and names the place."""
    ready(phone, stack.url("intake") + "/mapa")
    phone.locator("#coords summary").click()
    lat = phone.get_by_label("Szerokość geograficzna")
    lat.focus()
    phone.evaluate(
        """(text) => { const dt = new DataTransfer(); dt.setData('text', text);
            const paste = new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true});
            document.getElementById('report-lat').dispatchEvent(paste); }""",
        typed,
    )
    expect(phone.locator("#location-status")).to_contain_text(expected)
    assert "," in lat.input_value() and phone.get_by_label("Długość geograficzna").input_value()


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [("abc", "19,9", "Wpisz dwie liczby"), ("52,52", "13,40", "poza Polską"), ("50.06.1", "", "Wpisz dwie liczby")],
)
def test_garbage_or_foreign_coordinates_get_a_message_and_nothing_is_sent(
    stack: Stack, phone: Page, lat: str, lon: str, message: str
) -> None:
    """Bad coordinates are explained beside the field; the report is not sent."""
    ready(phone, stack.url("intake") + "/mapa")
    phone.locator("#coords summary").click()
    phone.get_by_label("Szerokość geograficzna").fill(lat)
    phone.get_by_label("Długość geograficzna").fill(lon)
    phone.get_by_role("button", name="Pokaż na mapie").click()
    expect(phone.locator("#report-lat-error")).to_contain_text(message)
    sent = []
    phone.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    phone.get_by_label("Kategoria zagrożenia").select_option(label="Nieprawidłowe parkowanie")
    phone.get_by_label(re.compile("Akceptuję regulamin")).check()
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(phone.locator("#error-summary")).to_contain_text(message)
    assert sent == []


def test_an_unknown_town_is_explained_and_enter_does_not_submit(stack: Stack, phone: Page) -> None:
    """Enter in the town field never sends the form; a name we do not know gets a message beside the field."""
    ready(phone, stack.url("intake") + "/mapa")
    box = phone.get_by_role("combobox", name="Miejscowość")
    box.fill("Qwxyzowo")
    box.press("Enter")
    expect(phone.locator("#report-place-error")).to_contain_text("Nie znamy takiej miejscowości")
    expect(phone.locator("#error-summary")).to_be_hidden()
    expect(phone.locator("#report-result")).to_be_hidden()


def test_messages_belong_to_the_current_attempt_and_the_place_line_clears_with_the_form(
    stack: Stack, phone: Page
) -> None:
    """A fixed problem's message goes away on the next attempt; resetting clears the place line and the fields."""
    ready(phone, stack.url("intake") + "/mapa")
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(phone.locator("#report-category-error")).to_be_visible()
    phone.get_by_label("Kategoria zagrożenia").select_option(label="Nieprawidłowe parkowanie")
    expect(phone.locator("#report-category-error")).to_be_hidden()
    pick_place(phone, "krakow", "Kraków")
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("Zaakceptuj regulamin")
    expect(summary).not_to_contain_text("Wskaż miejsce")
    expect(summary).not_to_contain_text("kategorię")
    phone.evaluate("document.getElementById('report-form').reset()")
    expect(phone.locator("#location-status")).to_have_text("")
    expect(summary).to_be_hidden()
    expect(phone.get_by_label("Szerokość geograficzna")).to_have_value("")


def test_the_file_picker_offers_what_the_intake_accepts(stack: Stack, phone: Page) -> None:
    """PNG is offered beside JPG, PDF, 3GP, MOV, DOC and TXT."""
    ready(phone, stack.url("intake") + "/mapa")
    accept = phone.locator("#report-files").get_attribute("accept")
    for kind in (".png", "image/png", ".jpg", ".pdf", ".3gp", ".mov", ".doc", ".txt"):
        assert kind in accept


def test_the_terms_link_opens_the_rules_and_the_data_clause(stack: Stack, phone: Page) -> None:
    """The checkbox links to /regulamin, which says what is processed, why and for how long."""
    ready(phone, stack.url("intake") + "/mapa")
    link = phone.get_by_role("link", name=re.compile("regulamin i informacja o danych osobowych"))
    assert link.get_attribute("href") == "/regulamin"
    ready(phone, stack.url("intake") + "/regulamin")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Regulamin i informacja o danych osobowych")
    expect(phone.locator("main")).to_contain_text("Skrót urządzenia w rejestrze limitu: 24 godziny")
    shot(phone, "regulamin", full_page=True)


def test_the_legend_tells_statuses_apart_without_colour(stack: Stack, phone: Page) -> None:
    """Each public status has its own symbol in the legend, and pins carry the same symbols."""
    ready(phone, stack.url("intake") + "/mapa")
    symbols = phone.locator("#legend-list .status-badge").all_inner_texts()
    assert len(symbols) == 6 and len(set(symbols)) == 6 and all(s.strip() for s in symbols)
    expect(phone.locator("#legend-list")).to_contain_text("Potwierdzone (wyeliminowane)")


def test_nearby_threats_show_distance_date_and_count_and_plus_one_counts_once(stack: Stack, phone: Page) -> None:
    """A threat 100 m away is suggested with its distance, date and report count; +1 then disables the button."""
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "DZIKIE_WYSYPISKA", "lat": 50.0700, "lon": 19.9000, "terms_accepted": True}
        assert c.post("/api/v1/reports", json=body).status_code == 202
        near = {"lat": 50.0708, "lon": 19.9000, "category": "DZIKIE_WYSYPISKA"}
        wait_until(lambda: c.get("/api/v1/threats/nearby", params=near).json()["threats"], timeout_s=60, what="threat")
    ready(phone, stack.url("intake") + "/mapa")
    phone.locator("#coords summary").click()
    phone.get_by_label("Szerokość geograficzna").fill("50,0708")
    phone.get_by_label("Długość geograficzna").fill("19,9")
    phone.get_by_role("button", name="Pokaż na mapie").click()
    phone.get_by_label("Kategoria zagrożenia").select_option(value="DZIKIE_WYSYPISKA")
    item = phone.locator("#duplicates-list li").first
    expect(item).to_contain_text(re.compile(r"\d+ m stąd, od \d{1,2}\.\d{2}\.\d{4}; zgłoszeń: 1"))
    plus = item.get_by_role("button", name="+1 potwierdzam")
    plus.click()
    expect(item.get_by_role("status")).to_contain_text("potwierdzenie policzone")
    expect(plus).to_be_disabled()
    shot(phone, "plus-jeden")


@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_resident_pages_on_a_phone_have_no_axe_violations(stack: Stack, phone: Page, path: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA or best-practice violation at 390 px."""
    ready(phone, stack.url("intake") + path)
    assert run_axe(phone) == []


def officer_sets_status(stack: Stack, report_id: str, status: str) -> None:
    """A Kraków coordinator moves the report's task to ``status`` through the notifier's API."""
    with stack.client("notifier") as n:
        form = {"username": "koordynator.krakow", "password": "demo", "grant_type": "password"}
        auth = {"Authorization": f"Bearer {n.post('/api/v1/auth/token', data=form).json()['access_token']}"}

        def task_id() -> str | None:
            tasks = n.get("/api/v1/units/KMP-1261/tasks?limit=1000", headers=auth).json()["tasks"]
            hit = next((t for t in tasks if report_id in t.get("report_ids", [t.get("report_id")])), None)
            return hit["task_id"] if hit else None

        wait_until(lambda: task_id() is not None, timeout_s=60, what="the report's task")
        answer = n.post(f"/api/v1/tasks/{task_id()}/status", headers=auth, json={"status": status, "note": None})
        assert answer.status_code == 200, answer.text


def test_the_confirmation_link_shows_the_status_and_an_officers_change(stack: Stack, phone: Page) -> None:
    """The link from the confirmation opens the report's page: Nowe with its meaning; after an officer's change,
    Weryfikacja and both steps of the history with dates."""
    ready(phone, stack.url("intake") + "/mapa")
    pick_place(phone, "krakow", "Kraków")
    report_id = file_report(phone, category="Akty wandalizmu")
    expect(phone.locator("#result-code")).to_have_text(re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}$"))
    assert_routed(stack, report_id, "KMP-1261")
    phone.locator("#result-link").click()
    expect(phone.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Twoje zgłoszenie")
    expect(phone.locator("#follow-category")).to_have_text("Akty wandalizmu")
    expect(phone.locator("#follow-unit")).to_contain_text("Komenda Miejska Policji")
    expect(phone.locator("#follow-place")).to_contain_text("Kraków")
    expect(phone.locator("#follow-status")).to_contain_text("Nowe")
    expect(phone.locator("#follow-status")).to_contain_text("w ciągu 3 dni")
    shot(phone, "zgloszenie-nowe", full_page=True)
    officer_sets_status(stack, report_id, "WERYFIKACJA")
    with stack.client("intake") as c:
        wait_until(
            lambda: c.get(f"/api/v1/reports/{report_id}").json()["status"] == "WERYFIKACJA",
            timeout_s=60,
            what="the read model follows the task",
        )
    phone.reload()
    expect(phone.locator("#follow-status")).to_contain_text("Weryfikacja", timeout=30_000)
    expect(phone.locator("#follow-status")).to_contain_text("sprawdza zagrożenie na miejscu")
    expect(phone.locator("#follow-history li")).to_have_count(2)
    expect(phone.locator("#follow-history")).to_contain_text(re.compile(r"\d{4}.*Weryfikacja"))
    assert overflow(phone) == 0
    assert run_axe(phone) == []
    shot(phone, "zgloszenie-weryfikacja", full_page=True)
    phone.set_viewport_size(NARROW)
    assert overflow(phone) == 0


def test_an_unknown_report_is_a_404_page_not_a_stack_trace(stack: Stack, phone: Page) -> None:
    """An unknown or malformed id answers 404 with a Polish page that leads back to the map."""
    for tail in (str(uuid.uuid4()), "nie-ma-takiego"):
        answer = phone.goto(stack.url("intake") + f"/zgloszenie/{tail}")
        assert answer is not None and answer.status == 404
        expect(phone.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Nie znaleziono zgłoszenia")
        expect(phone.get_by_role("link", name="Wróć do mapy zagrożeń")).to_be_visible()
    assert overflow(phone) == 0
    assert run_axe(phone) == []
    shot(phone, "zgloszenie-404")


def file_threat(stack: Stack, *, category: str, lat: float, lon: float) -> str:
    """A resident's report through the API (own device); waits until its threat is on the public map.

    The report may join an open threat of its category within the merge distance (~250 m) that another
    test filed: the threat is the one nearest to the point within ~400 m, once the report has a task.
    """
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": category, "lat": lat, "lon": lon, "terms_accepted": True}
        answer = c.post("/api/v1/reports", json=body)
        assert answer.status_code == 202
        report = f"/api/v1/reports/{answer.json()['report_id']}"
        wait_until(lambda: c.get(report).json()["history"], timeout_s=60, what="the report's task")
    with stack.client("notifier") as n:
        box = f"{lon - 0.006},{lat - 0.004},{lon + 0.006},{lat + 0.004}"

        def threat_id() -> str | None:
            found = n.get("/api/v1/public/threats", params={"bbox": box, "category": category}).json()["threats"]
            nearest = min(found, key=lambda t: (t["lat"] - lat) ** 2 + (t["lon"] - lon) ** 2, default=None)
            return nearest["threat_id"] if nearest else None

        wait_until(lambda: threat_id() is not None, timeout_s=60, what="the threat on the public map")
        return str(threat_id())


def test_subscribe_links_the_atom_feed_of_the_visible_area_and_its_category(stack: Stack, phone: Page) -> None:
    """Zoomed in on Wieliczka, the link and the page's feed <link> name the view's bbox; the feed holds the
    threat filed there; choosing a category narrows it; zoomed out to Poland, the page asks to zoom in."""
    lat, lon = 49.985 + random.uniform(0, 0.01), 20.055 + random.uniform(0, 0.01)
    threat = file_threat(stack, category="KLUSOWNICTWO", lat=lat, lon=lon)
    ready(phone, stack.url("intake") + f"/mapa?lat={lat}&lon={lon}&zoom=14")
    link = phone.get_by_role("link", name="Subskrybuj ten obszar")
    href = link.get_attribute("href")
    assert href and "/svc/notifier/api/v1/public/threats.atom?bbox=" in href
    assert phone.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href") == href
    expect(phone.locator("#feed-hint")).to_contain_text("Kanał Atom z zagrożeniami widocznego obszaru mapy")
    feed = feedparser.parse(httpx.get(href, timeout=10).content)
    assert not feed.bozo and f"urn:uuid:{threat}" in [e.id for e in feed.entries]
    assert next(e for e in feed.entries if e.id == f"urn:uuid:{threat}").title == "Kłusownictwo: Nowe"
    shot(phone, "subskrybuj-obszar", full_page=True)
    phone.get_by_label("Kategoria", exact=True).select_option(value="DZIKIE_KAPIELISKA")
    narrowed = link.get_attribute("href")
    assert narrowed.endswith("&category=DZIKIE_KAPIELISKA")
    assert f"urn:uuid:{threat}" not in [e.id for e in feedparser.parse(httpx.get(narrowed, timeout=10).content).entries]
    expect(phone.locator("#feed-hint")).to_contain_text("(kategoria: Dzikie kąpieliska)")
    ready(phone, stack.url("intake") + "/mapa")
    assert phone.locator("#feed-link").get_attribute("href") is None, "without href it is no longer a link"
    expect(phone.locator("#feed-hint")).to_contain_text("Przybliż mapę")
    assert phone.locator('head link[rel="alternate"]').count() == 0


def test_the_list_view_filters_sorts_and_pages_by_keyboard_alone(stack: Stack, phone: Page) -> None:
    """On a phone, by keyboard only: a place typed without diacritics finds the threat filed in Zakopane with its
    category and status; a header button sorts (aria-sort follows); the pager moves between pages."""
    file_threat(stack, category="WYPALANIE_TRAW", lat=49.2992 + random.uniform(0, 0.005), lon=19.9496)
    ready(phone, stack.url("intake") + "/mapa")
    list_link = phone.get_by_role("link", name="Widok listy zamiast mapy")
    list_link.focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(phone).to_have_url(re.compile(r"/lista$"))
    table = phone.get_by_role("table")
    expect(table.locator("caption")).to_have_text("Zagrożenia, sortowane: „Zgłoszono”, malejąco")
    assert phone.locator("thead th[aria-sort=descending]").inner_text() == "Zgłoszono"
    # Tab from the top of the page to the place filter, as a keyboard user would.
    phone.keyboard.press("Tab")
    for _ in range(30):
        if phone.evaluate("document.activeElement.id") == "list-place":
            break
        phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "list-place"
    phone.keyboard.type("zakop")
    rows = phone.locator("#list-body tr")
    expect(rows.filter(has_text="Wypalanie traw").first).to_contain_text("Zakopane")
    expect(rows.first).to_contain_text("Nowe")
    for text in rows.all_inner_texts():
        assert "Zakopane" in text
    shot(phone, "lista-filtr-zakopane", full_page=True)
    phone.keyboard.press("Tab")  # category
    phone.keyboard.press("Tab")  # status
    phone.keyboard.press("Tab")  # the table's scroll region
    phone.keyboard.press("Tab")  # first header button: Miejsce
    assert phone.evaluate("document.activeElement.textContent") == "Miejsce"
    phone.keyboard.press("Enter")
    expect(phone.locator("thead th").first).to_have_attribute("aria-sort", "ascending")
    expect(phone.locator("thead th[aria-sort=descending]")).to_have_count(0)
    expect(phone.locator("#list-summary")).to_contain_text("Sortowanie: „Miejsce”, rosnąco")
    phone.keyboard.press("Enter")
    expect(phone.locator("thead th").first).to_have_attribute("aria-sort", "descending")
    phone.get_by_label("Miejsce", exact=True).fill("")
    pages = phone.locator("#list-page")
    expect(pages).to_have_text(re.compile(r"^Strona 1 z \d+$"))
    if pages.inner_text() != "Strona 1 z 1":
        phone.get_by_role("button", name="Następna strona").focus()
        phone.keyboard.press("Enter")
        expect(pages).to_have_text(re.compile(r"^Strona 2 z \d+$"))
        expect(phone.get_by_role("button", name="Poprzednia strona")).to_be_enabled()
    assert overflow(phone) == 0
    assert run_axe(phone) == []
    phone.set_viewport_size(NARROW)
    assert overflow(phone) == 0
    shot(phone, "lista-320", full_page=True)


def test_the_list_view_never_shows_hidden_threats_or_exact_places_of_people(stack: Stack, phone: Page) -> None:
    """A homeless person's threat is listed at an approximate place; a threat marked as a joke is not listed."""
    lat, lon = 50.20 + random.uniform(0, 0.01), 19.60 + random.uniform(0, 0.01)
    file_threat(stack, category="OSOBA_BEZDOMNA", lat=lat, lon=lon)
    ready(phone, stack.url("intake") + "/lista")
    phone.get_by_label("Kategoria", exact=True).select_option(value="OSOBA_BEZDOMNA")
    expect(phone.locator("#list-body tr").first).to_contain_text("(miejsce przybliżone)")
    hrefs = phone.locator("#list-body th a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert all(f"lat={lat}" not in h for h in hrefs)
    phone.get_by_label("Status", exact=True).select_option(value="NOWE")
    options = phone.locator("#list-status option").all_inner_texts()
    assert "Żart lub pomyłka" not in options


def test_the_accessibility_statement_is_in_the_footer_with_its_status_gaps_contact_and_procedure(
    stack: Stack, phone: Page
) -> None:
    """Every resident page links the deklaracja dostępności; it states partial compliance, the gaps, the dates
    in Polish, the configured contact as a mailto link, the 7-day procedure; English with ?lang=en."""
    for path in ("/mapa", "/lista", "/regulamin", "/pomoc", "/zgloszenie/nie-ma-takiego"):
        ready(phone, stack.url("intake") + path)
        expect(phone.locator("footer").get_by_role("link", name="Deklaracja dostępności")).to_have_attribute(
            "href", "/dostepnosc"
        )
    ready(phone, stack.url("intake") + "/dostepnosc")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Przejdź do treści")).to_be_focused()
    phone.keyboard.press("Enter")
    main = phone.locator("main")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Deklaracja dostępności")
    expect(main).to_contain_text("Strona internetowa jest częściowo zgodna")
    expect(main).to_contain_text("ustawą z dnia 4 kwietnia 2019 r. o dostępności cyfrowej")
    expect(main.get_by_role("heading", name="Treści niedostępne")).to_be_visible()
    expect(main.locator("time").first).to_have_text(re.compile(r"^\d{1,2} [a-ząćęłńóśźż]+ \d{4}$"))
    expect(main.get_by_role("link", name="dostepnosc@kmzb.example")).to_have_attribute(
        "href", "mailto:dostepnosc@kmzb.example"
    )
    expect(main).to_contain_text("nie później niż w ciągu 7 dni")
    expect(main.get_by_role("heading", name="Dostępność architektoniczna")).to_be_visible()
    expect(main.get_by_role("heading", name="Aplikacje mobilne")).to_be_visible()
    assert phone.locator("main dt", has_text="Telefon").count() == 0, "no phone configured, none shown"
    shot(phone, "dostepnosc", full_page=True)
    ready(phone, stack.url("intake") + "/dostepnosc?lang=en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    expect(phone.locator("main")).to_contain_text("partially compliant")
    shot(phone, "dostepnosc-en", full_page=True)


def test_the_short_number_from_the_confirmation_finds_the_report_by_keyboard(stack: Stack, phone: Page) -> None:
    """The number the intake gave (e.g. 9DF4-47F9), typed into the 404 page's form, opens that report's page;
    /zgloszenie/{number} does too; an unknown number is the 404 page again."""
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "NIELEGALNA_WYCINKA", "lat": 50.03, "lon": 19.98, "terms_accepted": True}
        accepted = c.post("/api/v1/reports", json=body).json()
    number, report_id = accepted["number"], accepted["report_id"]
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", number) and report_id.replace("-", "").upper().startswith(
        number.replace("-", "")
    )
    assert_routed(stack, report_id, "KMP-1261")
    phone.goto(stack.url("intake") + "/zgloszenie/nie-ma-takiego")
    expect(phone.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    field = phone.get_by_label("Numer zgłoszenia")
    field.focus()
    phone.keyboard.type(number.lower().replace("-", " "))
    shot(phone, "numer-zgloszenia")
    phone.keyboard.press("Enter")
    expect(phone.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(phone).to_have_url(re.compile(f"/zgloszenie/{report_id}$"))
    expect(phone.locator("#follow-code")).to_have_text(number)
    expect(phone.locator("#follow-category")).to_have_text("Nielegalna wycinka drzew")
    answer = phone.goto(stack.url("intake") + f"/zgloszenie/{number}")
    assert answer is not None and answer.status == 200 and phone.url.endswith(report_id)
    missing = phone.goto(stack.url("intake") + "/zgloszenie/0000-0000")
    assert missing is not None and missing.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nie znaleziono zgłoszenia")


def test_the_follow_up_page_tells_the_time_in_poland_wherever_the_reader_is(stack: Stack, playwright_instance) -> None:  # noqa: ANN001
    """A resident abroad (a browser in New York) reads the posting time in Polish time, as officers do."""
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "NIELEGALNA_WYCINKA", "lat": 50.031, "lon": 19.981, "terms_accepted": True}
        accepted = c.post("/api/v1/reports", json=body).json()
    assert_routed(stack, accepted["report_id"], "KMP-1261")
    with stack.client("intake") as c:
        created = datetime.fromisoformat(c.get(f"/api/v1/reports/{accepted['report_id']}").json()["submitted_at"])
    in_poland = created.astimezone(ZoneInfo("Europe/Warsaw")).strftime("%H:%M")
    in_new_york = created.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    for page in browser_page(playwright_instance, viewport=PHONE, timezone_id="America/New_York"):
        ready(page, stack.url("intake") + f"/zgloszenie/{accepted['report_id']}")
        sent = page.locator("#follow-submitted").inner_text()
        assert in_poland in sent and in_new_york not in sent, (sent, in_poland)
        expect(page.locator("#follow-history")).to_contain_text(in_poland)


DESKTOP = {"width": 1366, "height": 900}
KRAKOW_CENTRE = ("50,06143", "19,93658")


@pytest.fixture
def desktop(playwright_instance) -> Iterator[Page]:  # noqa: ANN001
    """A 1366x900 desktop page with its own device cookie."""
    yield from browser_page(playwright_instance, viewport=DESKTOP)


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the element's top edge is on screen and most of it is visible."""
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    if box is None:
        return False
    top, bottom = max(box["y"], 0), min(box["y"] + box["height"], height)
    return box["y"] >= -2 and bottom - top >= min(box["height"], 150)


def test_by_keyboard_on_a_phone_a_chosen_town_brings_the_map_into_view_and_asks_for_the_exact_spot(
    stack: Stack, phone: Page
) -> None:
    """Tab reaches the skip link, which leads past the map to the form; a town picked with arrows and Enter puts
    the map on screen, keeps the focus in the town field and asks, in Polish, to tap the map or drag the marker."""
    ready(phone, stack.url("intake") + "/mapa")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Przejdź do formularza zgłoszenia")).to_be_focused()
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    box = phone.get_by_role("combobox", name="Miejscowość")
    expect(box).to_be_focused()
    assert not in_viewport(phone, "#map"), "the form is below the map on a phone"
    phone.keyboard.type("krakow")
    expect(phone.get_by_role("option", name=re.compile("Kraków")).first).to_be_visible()
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("Enter")
    expect(phone.locator("#location-status")).to_contain_text("Kraków")
    refine = phone.locator("#location-refine")
    expect(refine).to_have_text(
        re.compile(
            r"^(Dotknij mapy|Kliknij mapę) lub przeciągnij znacznik, aby wskazać dokładne miejsce"
            r" \(ulicę, park, skrzyżowanie\)\.$"
        )
    )
    expect(box).to_be_focused()
    assert in_viewport(phone, "#map")
    expect(phone.locator("#map-refine")).to_have_text(refine.inner_text())
    assert in_viewport(phone, "#map-refine"), "the prompt is on screen with the map"
    shot(phone, "miasto-mapa-w-widoku-390")
    assert overflow(phone) == 0
    phone.set_viewport_size(NARROW)
    assert overflow(phone) == 0
    shot(phone, "miasto-wskazowka-320", full_page=True)


def empty_map_point(page: Page, *, away_from: tuple[float, float] | None = None) -> tuple[float, float]:
    """A point (page px) on the map where a click hits the map itself, not a marker, cluster or control."""
    point = page.evaluate(
        """(away) => {
            const r = document.getElementById('map').getBoundingClientRect();
            for (let fy = 0.2; fy < 0.9; fy += 0.1) for (let fx = 0.2; fx < 0.9; fx += 0.1) {
                const x = r.left + r.width * fx, y = r.top + r.height * fy;
                if (away && Math.hypot(x - away[0], y - away[1]) < 150) continue;
                const el = document.elementFromPoint(x, y);
                if (el && !el.closest('.leaflet-marker-icon, .leaflet-interactive, .leaflet-control')) return [x, y];
            }
            return null;
        }""",
        list(away_from) if away_from else None,
    )
    assert point, "no free spot on the map"
    return point[0], point[1]


def marker_centre(page: Page) -> tuple[float, float]:
    box = page.locator(".kmzb-choice").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_marker(page: Page, dx: int, dy: int) -> None:
    """Drag the report's marker with the mouse by (dx, dy) px."""
    box = page.locator(".kmzb-choice").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y + dy * step / 10)
    page.mouse.up()


def test_on_a_desktop_the_town_is_a_starting_point_refined_by_dragging_and_the_field_follows_the_point(
    stack: Stack, desktop: Page
) -> None:
    """After picking Kraków the report point is its centre and the page asks to click or drag; dragging the marker
    moves the point; clicking the map moves it again; each time the town field names the place the status names."""
    ready(desktop, stack.url("intake") + "/mapa?lang=en")
    desktop.get_by_role("combobox", name="Town").fill("krakow")
    expect(desktop.get_by_role("option", name=re.compile("Kraków")).first).to_be_visible()
    desktop.get_by_role("combobox", name="Town").press("ArrowDown")
    desktop.get_by_role("combobox", name="Town").press("Enter")
    expect(desktop.locator("#location-refine")).to_have_text(
        "Click the map or drag the marker to show the exact spot (a street, park or crossroads)."
    )
    desktop.goto(stack.url("intake") + "/mapa?lang=pl")
    expect(desktop.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    pick_place(desktop, "krakow", "Kraków")
    lat, lon = desktop.get_by_label("Szerokość geograficzna"), desktop.get_by_label("Długość geograficzna")
    expect(lat).to_have_value(KRAKOW_CENTRE[0])
    expect(desktop.locator("#location-refine")).to_contain_text("Kliknij mapę lub przeciągnij znacznik")
    field = desktop.get_by_role("combobox", name="Miejscowość")
    town = field.input_value()
    assert town.startswith("Kraków")
    shot(desktop, "miasto-wskazowka-1366")
    drag_marker(desktop, 120, 90)
    expect(lat).not_to_have_value(KRAKOW_CENTRE[0])
    assert lon.input_value() != KRAKOW_CENTRE[1]
    status = desktop.locator("#location-status")
    expect(status).to_contain_text(lat.input_value())
    expect(field).not_to_have_value("")
    expect(status).to_contain_text(field.input_value())
    expect(desktop.locator("#location-refine")).to_have_text("")
    shot(desktop, "znacznik-przeciagniety-1366")
    dragged = lat.input_value()
    desktop.mouse.click(*empty_map_point(desktop, away_from=marker_centre(desktop)))
    expect(lat).not_to_have_value(dragged)
    expect(status).to_contain_text(lat.input_value())
    expect(field).not_to_have_value("")
    expect(status).to_contain_text(field.input_value())
    assert field.input_value() != town or town in status.inner_text()
    shot(desktop, "klikniecie-mapy-pole-zgodne-1366")


def test_a_map_tap_on_a_phone_replaces_the_town_in_the_field_with_the_tapped_place(stack: Stack, phone: Page) -> None:
    """Kraków chosen from the search, then a tap elsewhere on the map: the field and the status name one place."""
    ready(phone, stack.url("intake") + "/mapa")
    pick_place(phone, "krakow", "Kraków")
    field = phone.get_by_role("combobox", name="Miejscowość")
    expect(field).to_have_value(re.compile("^Kraków"))
    phone.touchscreen.tap(*empty_map_point(phone, away_from=marker_centre(phone)))
    status = phone.locator("#location-status")
    expect(phone.get_by_label("Szerokość geograficzna")).not_to_have_value(KRAKOW_CENTRE[0])
    expect(status).not_to_contain_text("Wybrano miejsce: Kraków,")  # a district or a village nearby
    expect(field).not_to_have_value("")
    expect(field).not_to_have_value(re.compile("^Kraków,"))
    expect(status).to_contain_text(field.input_value())
    expect(status).to_contain_text(phone.get_by_label("Szerokość geograficzna").input_value())
    phone.locator("#step-place").scroll_into_view_if_needed()
    shot(phone, "stukniecie-mapy-pole-zgodne-390")


def test_a_long_pasted_description_is_kept_whole_counted_over_the_limit_and_blocks_sending(
    stack: Stack, phone: Page
) -> None:
    """812 pasted characters stay in the field; the counter says how many to cut (Polish plural forms); sending is
    stopped with the reason in the error summary and nothing is posted. The limit is the intake's own: its API
    refuses 501 characters and accepts 500, and the page reads the number from the intake's config."""
    with stack.client("intake") as c:
        assert '"maxDescription": 500' in c.get("/config.js").text
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "NIELEGALNA_WYCINKA", "lat": 50.03, "lon": 19.98, "terms_accepted": True}
        refused = c.post("/api/v1/reports", json={**body, "description": "a" * 501})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "description_too_long"
        assert c.post("/api/v1/reports", json={**body, "description": "ą" * 500}).status_code == 202
    ready(phone, stack.url("intake") + "/mapa")
    pick_place(phone, "krakow", "Kraków")
    text = ("Samochody parkują na chodniku przy szkole każdego ranka. " * 15)[:812]
    area = phone.get_by_label("Opis (opcjonalnie, do 500 znaków)")
    area.focus()
    phone.keyboard.insert_text(text)  # as a paste: a maxlength would cut it here
    assert area.input_value() == text
    counter = phone.locator("#report-chars")
    expect(counter).to_have_text("Za długi opis: 812 z 500 znaków. Skróć go o 312 znaków.")
    shot(phone, "opis-za-dlugi-licznik-390")
    phone.get_by_label("Kategoria zagrożenia").select_option(label="Nieprawidłowe parkowanie")
    phone.get_by_label(re.compile("Akceptuję regulamin")).check()
    sent = []
    phone.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Opis jest za długi: 812 z 500 znaków. Skróć go o 312 znaków")
    expect(phone.locator("#report-description-error")).to_be_visible()
    assert sent == [] and area.input_value() == text
    shot(phone, "opis-za-dlugi-blad-390")
    area.fill(text[:502])
    expect(counter).to_have_text("Za długi opis: 502 z 500 znaków. Skróć go o 2 znaki.")
    area.fill(text[:501])
    expect(counter).to_have_text("Za długi opis: 501 z 500 znaków. Skróć go o 1 znak.")
    area.fill(text[:480].strip())
    expect(counter).to_have_text(re.compile(r"^Pozostało znaków: 2\d$"))
    expect(phone.locator("#report-description-error")).to_be_hidden()
    assert overflow(phone) == 0
    phone.set_viewport_size(NARROW)
    assert overflow(phone) == 0


def polish_threats(n: int) -> str:
    """'1 zagrożenie', '3 zagrożenia', '12 zagrożeń', '22 zagrożenia': Polish plural forms of a count."""
    if n == 1:
        return f"{n} zagrożenie"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} zagrożenia"
    return f"{n} zagrożeń"


def test_cluster_markers_are_named_in_polish_with_plural_forms_and_in_english(stack: Stack, desktop: Page) -> None:
    """Each cluster a keyboard reaches is a button named 'Skupisko: N zagrożeń' in the right plural form (English
    'Cluster: N threats' with ?lang=en), not a bare number; the map's checks pass axe."""
    for i in range(3):
        file_threat(stack, category="DZIKIE_WYSYPISKA", lat=50.30 + i * 0.01, lon=19.20 + random.uniform(0, 0.002))
    ready(desktop, stack.url("intake") + "/mapa?lat=50.31&lon=19.2&zoom=9")
    clusters = desktop.locator(".kmzb-cluster")
    expect(clusters.first).to_be_visible()
    for el in clusters.all():
        n = int(el.inner_text())
        expect(el).to_have_attribute("role", "button")
        expect(el).to_have_accessible_name(f"Skupisko: {polish_threats(n)}")
    shot(desktop, "skupiska-1366")
    assert run_axe(desktop) == []
    ready(desktop, stack.url("intake") + "/mapa")  # all of Poland: the other tests' threats, clusters of many sizes
    expect(clusters.first).to_be_visible()
    for el in clusters.all():
        expect(el).to_have_accessible_name(f"Skupisko: {polish_threats(int(el.inner_text()))}")
    ready(desktop, stack.url("intake") + "/mapa?lang=en&lat=50.31&lon=19.2&zoom=9")
    expect(clusters.first).to_be_visible()
    for el in clusters.all():
        n = int(el.inner_text())
        expect(el).to_have_accessible_name(f"Cluster: {n} threat" + ("" if n == 1 else "s"))


def test_the_follow_up_page_in_english_names_the_category_in_english(stack: Stack, phone: Page) -> None:
    """/zgloszenie/{id}?lang=en shows the category's name_en from the intake's catalogue, not the Polish name."""
    with stack.client("intake") as c:
        names = {x["code"]: x for x in c.get("/api/v1/categories").json()}
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "BEZPANSKIE_PSY", "lat": 50.032, "lon": 19.982, "terms_accepted": True}
        accepted = c.post("/api/v1/reports", json=body).json()
    assert_routed(stack, accepted["report_id"], "KMP-1261")
    english, polish = names["BEZPANSKIE_PSY"]["name_en"], names["BEZPANSKIE_PSY"]["name_pl"]
    assert english != polish
    ready(phone, stack.url("intake") + f"/zgloszenie/{accepted['report_id']}?lang=en")
    expect(phone.locator("#follow-category")).to_have_text(english)
    shot(phone, "zgloszenie-en-kategoria-390", full_page=True)
    ready(phone, stack.url("intake") + f"/zgloszenie/{accepted['report_id']}?lang=pl")
    expect(phone.locator("#follow-category")).to_have_text(polish)


def test_a_single_threat_pin_is_named_by_its_category_and_status(stack: Stack, desktop: Page) -> None:
    """A lone pin is a button named "Dzikie wysypiska śmieci: Nowe", not by its badge symbol ("+")."""
    file_threat(stack, category="DZIKIE_WYSYPISKA", lat=50.4512, lon=19.5123)
    ready(desktop, stack.url("intake") + "/mapa?lat=50.4512&lon=19.5123&zoom=17")
    pin = desktop.locator(".leaflet-marker-icon.kmzb-pin").first
    expect(pin).to_be_visible()
    name = pin.evaluate("el => el.getAttribute('aria-label')")
    assert name and re.fullmatch(r"[^:]{6,}: \S.+", name), name
    expect(pin).to_have_accessible_name(name)
