"""The officer console in headless Chromium: the subtree list, the task view with its photo, acting, live updates."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator

import h3
import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from web_browser import browser_page, run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import wait_until

pytestmark = pytest.mark.integration

SHOTS = ARTIFACTS / "screenshots"
DESCRIPTION = "Grupa osób pije alkohol przy placu zabaw; jeden z nich ma nóż."


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "KameraTest"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 3.0, 41.0), 3: "E", 4: (19.0, 56.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _report(stack: Stack, body: dict, *, photo: bytes | None = None) -> str:
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        if photo is not None:
            up = c.post("/api/v1/attachments", files={"file": ("zdjecie.jpg", photo, "image/jpeg")})
            assert up.status_code == 201, up.text
            body = {**body, "attachments": [up.json()["attachment_id"]]}
        resp = c.post("/api/v1/reports", json={"terms_accepted": True, **body})
        assert resp.status_code == 202, resp.text
        return resp.json()["report_id"]


def _token(stack: Stack, user: str) -> str:
    with stack.client("notifier") as n:
        form = {"username": user, "password": "demo", "grant_type": "password"}
        return n.post("/api/v1/auth/token", data=form).json()["access_token"]


def _task_of(stack: Stack, report_id: str, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}

    def find() -> dict | None:
        with stack.client("notifier") as n:
            tasks = n.get("/api/v1/units/KMP-1261/tasks?limit=1000", headers=auth).json()["tasks"]
        return next((t for t in tasks if report_id in t["report_ids"]), None)

    wait_until(lambda: find() is not None, timeout_s=60, what="the report's task")
    return find()


def _sign_in(page: Page, stack: Stack, user: str, path: str = "/konsola") -> None:
    page.goto(stack.url("intake") + "/konsola")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    page.evaluate("sessionStorage.clear()")
    page.goto("about:blank")  # a full load, not a hash change of the same page
    page.goto(stack.url("intake") + path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    page.get_by_label("Login").fill(user)
    page.get_by_label("Hasło").fill("demo")
    page.get_by_role("button", name="Zaloguj").click()
    expect(page.locator("#who")).to_contain_text("Zalogowano", timeout=30_000)


@pytest.fixture(scope="module")
def page(playwright_instance) -> Iterator[Page]:  # noqa: ANN001
    """One page for the module's journeys (the sign-in clears the session between them)."""
    yield from browser_page(playwright_instance)


def test_a_voivodeship_coordinator_sees_the_subtree_of_tasks(stack: Stack, page: Page) -> None:
    """koordynator.kwp12 (KWP-12) lists the tasks of KMP Kraków below it, not "Brak zadań"."""
    report_id = _report(stack, {"category": "ZEBRACTWO", "lat": 50.0619, "lon": 19.9368})
    task = _task_of(stack, report_id, _token(stack, "admin"))
    _sign_in(page, stack, "koordynator.kwp12")
    expect(page.locator(f'[data-task-id="{task["task_id"]}"]')).to_be_visible(timeout=30_000)
    assert page.locator("#task-list [data-task-id]").count() > 0
    expect(page.locator("#unit-counts")).to_contain_text("Kraków")


def test_a_coordinator_reads_acts_on_and_keeps_work_through_a_live_update(stack: Stack, page: Page) -> None:
    """koordynator.krakow opens the task by its link, reads the text and photo, assigns, notes, and keeps typing."""
    report_id = _report(
        stack,
        {
            "category": "SPOZYWANIE_ALKOHOLU",
            "lat": 50.0641,
            "lon": 19.9451,
            "description": DESCRIPTION,
            "recurrence": {"time_bands": ["wieczor"], "days_of_week": [5, 6]},
        },
        photo=_photo_with_gps(),
    )
    coordinator = _token(stack, "koordynator.krakow")
    task = _task_of(stack, report_id, coordinator)
    task_id = task["task_id"]
    view = httpx.get(
        stack.url("notifier") + f"/api/v1/tasks/{task_id}/view", headers={"Authorization": f"Bearer {coordinator}"}
    ).json()
    attachment_id = view["evidence"][0]["attachment_ids"][0]

    # The photo: the coordinator's copy has no GPS or camera; Gdańsk gets 403, nobody signed in 401.
    photo_url = stack.url("intake") + f"/api/v1/attachments/{attachment_id}"
    served = httpx.get(photo_url, headers={"Authorization": f"Bearer {coordinator}"})
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert 0x8825 not in Image.open(io.BytesIO(served.content)).getexif() and b"KameraTest" not in served.content
    gdansk = httpx.get(photo_url, headers={"Authorization": f"Bearer {_token(stack, 'dzielnicowy.gdansk')}"})
    assert gdansk.status_code == 403 and gdansk.json()["error"]["code"] == "attachment_forbidden"
    assert httpx.get(photo_url).status_code == 401

    _sign_in(page, stack, "koordynator.krakow", path=f"/konsola#zadanie={task_id}")
    tv = page.locator("#task-view")
    expect(tv.get_by_role("heading", name="Spożywanie alkoholu w miejscach niedozwolonych")).to_be_visible(
        timeout=30_000
    )
    expect(tv.locator(".description")).to_have_text(DESCRIPTION)
    expect(tv.locator("#tv-reports")).to_contain_text("wieczorem (20–24)")
    expect(tv.locator("#tv-reports img[src^='blob:']")).to_have_count(1, timeout=15_000)
    natural = tv.locator("#tv-reports img").evaluate("img => img.complete && img.naturalWidth")
    assert natural == 320
    expect(tv.locator("#tv-facts")).to_contain_text("Termin weryfikacji")
    expect(tv.locator("#tv-facts")).to_contain_text("Komenda Miejska Policji")
    # The place is named by the geo-router's gazetteer, not by the unit that owns it.
    expect(tv.locator("#tv-facts dd").first).to_have_text(re.compile(r"^Kraków\b.*50,0641"))

    # Only the allowed move, with its Polish label.
    options = tv.get_by_label("Nowy status").locator("option").all_inner_texts()
    assert [o for o in options if o != "— wybierz —"] == ["Weryfikacja"]

    # Assignment from the unit's officers.
    tv.get_by_label("Funkcjonariusz", exact=True).select_option("dzielnicowy.krakow")
    tv.get_by_role("button", name="Przydziel", exact=True).click()
    expect(tv.locator("#tv-confirm")).to_have_text("Zadanie przydzielone: asp. Anna Nowak.")
    expect(tv.locator("#tv-facts")).to_contain_text("asp. Anna Nowak")
    expect(tv.locator("#tv-history li").first).to_contain_text("Przydzielono: asp. Anna Nowak")

    # A note with markup is refused next to the field; a plain one appears in the history (keyboard only).
    tv.get_by_label("Treść notatki").fill("<b>pilne</b>")
    tv.get_by_role("button", name="Dodaj notatkę").click()
    expect(tv.locator("#tv-note-error")).to_contain_text("zwykły tekst")
    expect(tv.get_by_label("Treść notatki")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Patrol sprawdzi w piątek wieczorem.")
    page.keyboard.press("Tab")
    expect(tv.get_by_role("button", name="Dodaj notatkę")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tv.locator("#tv-history li").first).to_contain_text("Patrol sprawdzi w piątek wieczorem.")
    expect(tv.locator("#tv-confirm")).to_have_text("Notatka dodana do historii.")

    # Half-typed work survives a live update caused by a new report in the unit.
    tv.get_by_label("Nowy status").select_option("WERYFIKACJA")
    note = tv.get_by_label("Notatka", exact=True)
    note.click()
    page.keyboard.type("Dzielnicowy potwierdził, że grupa")
    expect(page.locator("#live-status")).to_contain_text("Na żywo")
    listed = page.locator("#list-summary").inner_text()
    _report(stack, {"category": "AKTY_WANDALIZMU", "lat": 50.0702, "lon": 19.9451})
    expect(page.locator("#list-summary")).not_to_have_text(listed, timeout=15_000)
    expect(page.locator("#new-count")).to_contain_text("Nowe zadania")
    expect(note).to_have_value("Dzielnicowy potwierdził, że grupa")
    expect(note).to_be_focused()
    expect(tv.get_by_label("Nowy status")).to_have_value("WERYFIKACJA")
    expect(tv.locator("#tv-confirm")).to_have_text("Notatka dodana do historii.")

    # The verification card: a PDF whose text has the category with its Polish letters.
    with page.expect_download() as download:
        tv.get_by_role("button", name="Pobierz kartę weryfikacji (PDF)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Spożywanie alkoholu w miejscach niedozwolonych" in text and "Karta weryfikacji zagrożenia" in text
    assert "Patrol sprawdzi w piątek wieczorem." in text

    assert run_axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844), (320, 700)):
        page.set_viewport_size({"width": width, "height": height})
        tv.locator("#tv-title").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width} px"
        if width != 320:
            page.screenshot(path=str(SHOTS / f"konsola-zadanie-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The move itself: saved, confirmed until dismissed, and the history says who moved it.
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-confirm")).to_have_text("Status zmieniony na: Weryfikacja.")
    expect(tv.locator("#tv-status")).to_contain_text("Weryfikacja")
    expect(tv.locator("#tv-history li").first).to_contain_text("Nowe → Weryfikacja")
    options = tv.get_by_label("Nowy status").locator("option").all_inner_texts()
    assert {o for o in options if o != "— wybierz —"} == {
        "Niepotwierdzone (wymaga notatki)",
        "Potwierdzone",
        "Żart lub pomyłka (wymaga notatki)",
    }
    # A verdict that needs a note, sent without one: the Polish reason stands next to the note.
    tv.get_by_label("Nowy status").select_option("NIEPOTWIERDZONE")
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-status-note-error")).to_contain_text("„Niepotwierdzone” wymaga notatki")
    tv.get_by_role("button", name="Ukryj komunikat").click()
    expect(tv.locator("#tv-confirm-box")).to_be_hidden()


def test_two_officers_one_task_the_second_sees_who_edits_and_a_coordinator_takes_over(
    stack: Stack, page: Page, playwright_instance
) -> None:
    """Anna opens the task; Piotr sees "edytuje: asp. Anna Nowak", takes over, and a stale save keeps his note."""
    report_id = _report(stack, {"category": "NISZCZENIE_ZIELENI", "lat": 50.0489, "lon": 19.9183})
    task_id = _task_of(stack, report_id, _token(stack, "admin"))["task_id"]
    _sign_in(page, stack, "dzielnicowy.krakow", path=f"/konsola#zadanie={task_id}")
    anna = page.locator("#task-view")
    expect(anna.locator("#tv-lock-text")).to_contain_text("Edytujesz to zadanie", timeout=30_000)
    # The status is shown once: one badge and the label, not a symbol twice.
    row = page.locator(f'#task-list [data-task-id="{task_id}"]')
    expect(row.locator(".status-badge")).to_have_count(1)
    expect(row.locator(".task-status")).to_have_text("Nowe")
    expect(anna.locator("#tv-status")).to_have_text(re.compile(r"^\+Nowe"))

    second = browser_page(playwright_instance, viewport={"width": 1366, "height": 900})
    piotr_page = next(second)
    try:
        # Piotr's console gets no live feed here, so his view goes stale when someone else writes.
        piotr_page.route("**/feed", lambda route: route.abort())
        _sign_in(piotr_page, stack, "koordynator.krakow", path=f"/konsola#zadanie={task_id}")
        piotr = piotr_page.locator("#task-view")
        lock_text = piotr.locator("#tv-lock-text")
        expect(lock_text).to_have_text(re.compile(r"^edytuje: asp\. Anna Nowak \(do \d\d:\d\d\)$"), timeout=30_000)
        expect(piotr.get_by_label("Nowy status")).to_be_disabled()
        expect(piotr.get_by_role("button", name="Przydziel", exact=True)).to_be_disabled()
        expect(piotr.locator("#tv-lock-reason")).to_contain_text("dopóki asp. Anna Nowak edytuje to zadanie")
        expect(piotr.get_by_label("Treść notatki")).to_be_enabled()
        assert run_axe(piotr_page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((1366, 900), (390, 844), (320, 700)):
            piotr_page.set_viewport_size({"width": width, "height": height})
            assert piotr_page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width}"
            piotr.locator("#tv-lock").scroll_into_view_if_needed()
            piotr_page.screenshot(path=str(SHOTS / f"konsola-edytuje-{width}x{height}.png"))
        piotr_page.set_viewport_size({"width": 1366, "height": 900})

        # The coordinator takes over by keyboard; Anna's console learns it live, the history keeps it.
        piotr.get_by_role("button", name="Przejmij edycję").focus()
        piotr_page.keyboard.press("Enter")
        expect(piotr.locator("#tv-confirm")).to_have_text("Przejęto edycję zadania od: asp. Anna Nowak.")
        expect(piotr.get_by_label("Nowy status")).to_be_enabled()
        expect(piotr.get_by_label("Nowy status")).to_be_focused()
        expect(anna.locator("#tv-lock-text")).to_contain_text("edytuje: kom. Piotr Wiśniewski", timeout=15_000)
        expect(anna.get_by_label("Nowy status")).to_be_disabled()
        expect(anna.locator("#tv-history li").first).to_contain_text("Przejęcie edycji od: asp. Anna Nowak")
        expect(anna.get_by_role("button", name="Przejmij edycję")).to_be_hidden()
        page.screenshot(path=str(SHOTS / "konsola-przejeta-edycja-1280x900.png"))

        # A colleague's note moves the task on; Piotr's save on the old version is refused and reloads.
        piotr_page.keyboard.press("ArrowDown")  # the select has focus: the first move, Weryfikacja
        expect(piotr.get_by_label("Nowy status")).to_have_value("WERYFIKACJA")
        piotr.get_by_label("Notatka", exact=True).fill("Zieleń zniszczona przy ul. Tynieckiej.")
        admin = {"Authorization": f"Bearer {_token(stack, 'admin')}"}
        with stack.client("notifier") as n:
            added = n.post(f"/api/v1/tasks/{task_id}/notes", json={"note": "Zgłaszający dosłał opis."}, headers=admin)
        assert added.status_code == 201, added.text
        piotr.get_by_role("button", name="Zmień status").click()
        expect(piotr.locator("#tv-confirm")).to_contain_text("Zadanie zmieniło się, odkąd je otwarto")
        expect(piotr.locator("#tv-history")).to_contain_text("Zgłaszający dosłał opis.")
        expect(piotr.get_by_label("Notatka", exact=True)).to_have_value("Zieleń zniszczona przy ul. Tynieckiej.")
        expect(piotr.get_by_label("Nowy status")).to_have_value("WERYFIKACJA")
        piotr.get_by_role("button", name="Zmień status").click()
        expect(piotr.locator("#tv-confirm")).to_have_text("Status zmieniony na: Weryfikacja.")
        # Saving released Piotr's lock: Anna, who still has the task open, holds it again.
        expect(anna.locator("#tv-lock-text")).to_contain_text("Edytujesz to zadanie", timeout=15_000)
        expect(anna.get_by_label("Nowy status")).to_be_enabled()
    finally:
        next(second, None)


def test_a_handover_outside_the_police_names_the_partner_chosen_in_the_console(stack: Stack, page: Page) -> None:
    """Choosing "przekazane poza Policję" offers Kraków's partners; without one the reason stands by the field."""
    report_id = _report(stack, {"category": "DZIKIE_WYSYPISKA", "lat": 50.0555, "lon": 19.9011})
    coordinator = _token(stack, "koordynator.krakow")
    task_id = _task_of(stack, report_id, coordinator)["task_id"]
    with stack.client("notifier") as n:
        for status in ("WERYFIKACJA", "POTWIERDZONE"):
            resp = n.post(
                f"/api/v1/tasks/{task_id}/status",
                json={"status": status},
                headers={"Authorization": f"Bearer {coordinator}"},
            )
            assert resp.status_code == 200, resp.text
    _sign_in(page, stack, "koordynator.krakow", path=f"/konsola#zadanie={task_id}")
    tv = page.locator("#task-view")
    expect(tv.get_by_role("heading", name="Dzikie wysypiska śmieci")).to_be_visible(timeout=30_000)
    partner = tv.get_by_label("Komu przekazano")
    expect(partner).to_be_hidden()
    tv.get_by_label("Nowy status").select_option("POTWIERDZONE_PRZEKAZANE")
    expect(partner).to_be_visible()
    offered = partner.locator("option").all_inner_texts()
    assert offered[1:4] == [
        "Miejski Ośrodek Pomocy Społecznej w Krakowie (Ośrodek pomocy społecznej)",
        "Straż Miejska Miasta Krakowa (Straż miejska lub gminna)",
        "Urząd Miasta Krakowa (Urząd gminy lub miasta)",
    ]
    assert "Nadleśnictwo Myślenice (Nadleśnictwo)" in offered
    tv.get_by_label("Notatka", exact=True).fill("Odpady budowlane przy ul. Zakole; wniosek o uprzątnięcie.")
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-partner-error")).to_contain_text("Wybierz partnera spoza Policji")
    expect(partner).to_be_focused()
    partner.select_option("um-krakow")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    tv.locator("#status-form").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "konsola-przekazanie-390x844.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-confirm")).to_have_text("Status zmieniony na: Potwierdzone (przekazane poza Policję).")
    top = tv.locator("#tv-history li").first
    expect(top).to_contain_text("Przekazano: Urząd Miasta Krakowa")
    expect(top).to_contain_text("bez wysyłki automatycznej")
    expect(top).to_contain_text("Odpady budowlane przy ul. Zakole")
    assert run_axe(page) == []


def test_a_community_officer_sees_the_beat_first_and_switches_to_the_whole_unit(stack: Stack, page: Page) -> None:
    """dzielnicowy.krakow with a beat lists its tasks first; "Cała jednostka" (by keyboard) lists the others too."""
    inside = (50.0210, 20.0290)  # Bieżanów; the beat is the r8 parent of this point's task cell
    beat = h3.cell_to_parent(h3.latlng_to_cell(*inside, 9), 8)
    with stack.client("notifier") as n:
        put = n.put(
            "/api/v1/units/KMP-1261/beats/dzielnicowy.krakow",
            json={"cells": [beat]},
            headers={"Authorization": f"Bearer {_token(stack, 'koordynator.krakow')}"},
        )
        assert put.status_code == 204, put.text
    anna = _token(stack, "dzielnicowy.krakow")
    in_beat = _task_of(stack, _report(stack, {"category": "WYPALANIE_TRAW", "lat": inside[0], "lon": inside[1]}), anna)
    elsewhere = _task_of(stack, _report(stack, {"category": "WYPALANIE_TRAW", "lat": 50.0650, "lon": 19.9700}), anna)
    _sign_in(page, stack, "dzielnicowy.krakow")
    scope = page.get_by_role("group", name="Zakres listy")
    expect(scope).to_be_visible(timeout=30_000)
    expect(scope.get_by_label("Mój rejon")).to_be_checked()
    expect(page.locator("#scope-hint")).to_contain_text("swojego rejonu")
    expect(page.locator(f'[data-task-id="{in_beat["task_id"]}"]')).to_be_visible(timeout=30_000)
    expect(page.locator(f'[data-task-id="{elsewhere["task_id"]}"]')).to_have_count(0)
    assert run_axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844), (320, 700)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width} px"
        if width != 320:
            page.screenshot(path=str(SHOTS / f"konsola-rejon-{width}x{height}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    scope.get_by_label("Mój rejon").focus()
    page.keyboard.press("ArrowDown")
    expect(scope.get_by_label("Cała jednostka")).to_be_checked()
    page.get_by_label("Kolejność").select_option("newest")
    expect(page.locator(f'[data-task-id="{elsewhere["task_id"]}"]')).to_be_visible(timeout=15_000)
    expect(page.locator("#scope-hint")).to_be_hidden()


def test_an_officer_who_takes_a_task_is_named_once_in_its_history(stack: Stack, page: Page) -> None:
    """ "Przypisz do mnie" shows as "Przyjęto do realizacji · name", not "Przydzielono: name · name"."""
    report_id = _report(stack, {"category": "DZIKIE_WYSYPISKA", "lat": 50.0123, "lon": 19.9012})
    task_id = _task_of(stack, report_id, _token(stack, "koordynator.krakow"))["task_id"]
    _sign_in(page, stack, "koordynator.krakow", path=f"/konsola#zadanie={task_id}")
    tv = page.locator("#task-view")
    tv.get_by_role("button", name="Przypisz do mnie").click()
    first = tv.locator("#tv-history li").first
    expect(first).to_contain_text("Przyjęto do realizacji", timeout=15_000)
    text = first.inner_text()
    assert "Przydzielono" not in text and text.count(text.split(" · ")[1]) == 1, text

    # While the task is open the officer is told they edit it; once it is closed, no longer.
    expect(tv.locator("#tv-lock-text")).to_contain_text("Edytujesz to zadanie")
    tv.get_by_label("Nowy status").select_option("WERYFIKACJA")
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-confirm")).to_have_text("Status zmieniony na: Weryfikacja.")
    tv.get_by_label("Nowy status").select_option("NIEPOTWIERDZONE")
    tv.get_by_label("Notatka", exact=True).fill("Na miejscu nie było odpadów.")
    tv.get_by_role("button", name="Zmień status").click()
    expect(tv.locator("#tv-confirm")).to_have_text("Status zmieniony na: Niepotwierdzone.")
    expect(tv.locator("#tv-lock")).to_be_hidden()
    expect(tv).not_to_contain_text("Edytujesz to zadanie")
