"""The public deadline page (/terminowosc): figures from task events, a sortable table, a chart, keyboard, phones."""

from __future__ import annotations

import csv
import io
import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect
from web_browser import run_axe

from conftest import ARTIFACTS, Stack
from kmzb_devstack import dev_token, wait_until

pytestmark = pytest.mark.integration

SCREENSHOTS = ARTIFACTS / "screenshots"
# Places in Kraków far enough apart to be separate threats.
PLACES = [(50.0900, 19.9000), (50.0300, 19.9700), (50.0700, 20.0300), (50.0450, 19.9100)]


def _task_of(stack: Stack, auth: dict[str, str], report_id: str) -> dict | None:
    with stack.client("notifier") as n:
        answer = n.get("/api/v1/units/KMP-1261/tasks", params={"limit": 1000}, headers=auth)
    if answer.status_code != 200:
        return None
    return next((t for t in answer.json()["tasks"] if report_id in t["report_ids"]), None)


@pytest.fixture(scope="module")
def reviewed_tasks(stack: Stack) -> None:
    """Four reports in Kraków; a coordinator reviews two of them at once and rules one not confirmed."""
    auth = {"Authorization": f"Bearer {dev_token('koordynator.krakow')}"}
    report_ids = []
    with stack.client("intake") as c:
        for lat, lon in PLACES:
            c.cookies.set("kmzb_device", uuid.uuid4().hex)
            body = {"category": "WYPALANIE_TRAW", "lat": lat, "lon": lon, "terms_accepted": True}
            answer = c.post("/api/v1/reports", json=body)
            assert answer.status_code == 202, answer.text
            report_ids.append(answer.json()["report_id"])
    wait_until(lambda: all(_task_of(stack, auth, r) for r in report_ids), timeout_s=60, what="four tasks")
    tasks = [_task_of(stack, auth, r) for r in report_ids]
    with stack.client("notifier") as n:
        for task, status in ((tasks[0], "WERYFIKACJA"), (tasks[1], "WERYFIKACJA"), (tasks[1], "NIEPOTWIERDZONE")):
            body = {"status": status, "note": "Na miejscu nie stwierdzono wypalania traw."}
            answer = n.post(f"/api/v1/tasks/{task['task_id']}/status", json=body, headers=auth)
            assert answer.status_code == 200, answer.text

    def counted() -> bool:
        with stack.client("stats") as s:
            units = s.get("/api/v1/deadlines", params={"unit_id": "KMP-1261"}).json()["units"]
        return bool(units) and units[0]["review_judged"] >= 2 and units[0]["verification_judged"] >= 1

    wait_until(counted, timeout_s=60, what="the reviews counted by stats")


def test_the_api_gives_the_reviews_as_json_and_csv_rolled_up_to_the_voivodeship(
    stack: Stack, reviewed_tasks: None
) -> None:
    """KMP Kraków reviewed its tasks on time; KWP-12 and KGP hold them too; the CSV parses with the same rows."""
    with stack.client("stats") as s:
        body = s.get("/api/v1/deadlines", params={"period": "28d"}).json()
        text = s.get("/api/v1/deadlines.csv", params={"period": "28d"}).text
    by_unit = {u["unit_id"]: u for u in body["units"]}
    krakow = by_unit["KMP-1261"]
    assert krakow["reviewed_on_time_share"] == 1.0 and krakow["reviewed_on_time"] >= 2
    assert krakow["median_review_hours"] is not None and krakow["median_review_hours"] < 1
    assert by_unit["KWP-12"]["tasks"] >= krakow["tasks"] and by_unit["KGP"]["tasks"] >= by_unit["KWP-12"]["tasks"]
    assert by_unit["KMP-1261"]["parent_id"] == "KWP-12"
    rows = {r["unit_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["KMP-1261"]["reviewed_on_time_share"] == "1.0"


def _open(page: Page, stack: Stack, *, lang: str = "pl", width: int = 1366, height: int = 900) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(stack.url("intake") + f"/terminowosc?lang={lang}&unit=KWP-12")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)


def test_the_page_shows_a_sortable_table_a_chart_and_how_each_figure_is_computed(
    stack: Stack, reviewed_tasks: None, page: Page
) -> None:
    """KMP Kraków's row says 100% reviewed on time in Polish format; sorting sets aria-sort; axe finds nothing."""
    _open(page, stack)
    expect(page.get_by_role("link", name="Terminowość")).to_have_attribute("aria-current", "page")
    krakow = page.locator("#dl-units tr", has_text="KMP-1261")
    expect(krakow).to_contain_text("100%")
    expect(krakow).to_contain_text(re.compile(r"\d+ z \d+"))
    expect(page.locator("#dl-explanations")).to_contain_text("najpóźniej 3 dni po zgłoszeniu")
    expect(page.locator("#dl-chart [data-mark='x-axis label']")).to_contain_text("Przejrzane w terminie (%)")
    page.locator("#dl-chart summary").click()
    expect(page.locator("#dl-chart table")).to_contain_text("100")
    header = page.locator("th[aria-sort]", has_text="Zadania")
    expect(header).to_have_attribute("aria-sort", "none")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    counts = [
        int(x.replace("\u00a0", "").replace(" ", ""))
        for x in page.locator("#dl-units td:nth-child(2)").all_inner_texts()
    ]
    assert counts == sorted(counts, reverse=True)
    page.screenshot(path=str(SCREENSHOTS / "terminowosc-1366x900.png"), full_page=True)
    assert run_axe(page) == []


def test_the_table_sorts_from_the_keyboard_alone(stack: Stack, reviewed_tasks: None, page: Page) -> None:
    """Tab reaches the sort buttons; Enter sorts by the review share and keeps the focus on the button."""
    _open(page, stack)
    page.locator("#dl-csv").focus()
    page.keyboard.press("Tab")  # the table's scrolling region first: a keyboard scrolls it with the arrows
    assert page.evaluate("document.activeElement.id") == "dl-units"
    for _ in range(3):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.sort")
    assert focused == "reviewed", focused
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort]", has_text="Przegląd w terminie")).to_have_attribute("aria-sort", "descending")
    assert page.evaluate("document.activeElement.dataset.sort") == "reviewed"


def test_in_english_the_page_is_translated(stack: Stack, reviewed_tasks: None, page: Page) -> None:
    """?lang=en: headings, columns and explanations are English, shares in English number format."""
    _open(page, stack, lang="en")
    expect(page.get_by_role("heading", name="Police units' timeliness")).to_be_visible()
    expect(page.locator("#dl-explanations")).to_contain_text("at most 3 days after posting")
    expect(page.locator("#dl-units tr", has_text="KMP-1261")).to_contain_text(re.compile(r"100% \(\d+ of \d+\)"))
    main = page.locator("main").inner_text()
    for polish in ("Zadania", "Przegląd", "Mediana", "Jak liczymy", "ostatnich"):
        assert polish not in main, polish


# Words of the matched elements whose letters lie on more than one line (a word broken mid-word).
_WORDS_ON_TWO_LINES = """selector => [...document.querySelectorAll(selector)].flatMap(el => {
  const out = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, words = /\\S+/g;
    for (let m; (m = words.exec(node.data)); ) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) out.push(m[0]);
    }
  }
  return out;
})"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (320, 700)])
def test_the_page_fits_a_phone_without_horizontal_scrolling(
    stack: Stack, reviewed_tasks: None, page: Page, width: int, height: int
) -> None:
    """At phone widths only the table's own box scrolls sideways, never the page; the page says so, and no
    unit's name is broken mid-word ("Wojewódz-ka" was seen at 320 px)."""
    _open(page, stack, width=width, height=height)
    expect(page.locator("#dl-units")).to_contain_text("KMP-1261")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.get_by_text("Tabela ma więcej kolumn, niż mieści ekran: przewiń ją w bok.")).to_be_visible()
    expect(page.get_by_role("region", name="Terminowość jednostek (tabela przewijana w bok)")).to_be_visible()
    broken = page.evaluate(_WORDS_ON_TWO_LINES, "#dl-units th[scope=row]")
    assert broken == [], broken
    page.screenshot(path=str(SCREENSHOTS / f"terminowosc-{width}x{height}.png"), full_page=True)


def test_a_bad_period_is_a_400_with_a_reason(stack: Stack) -> None:
    """The public endpoint refuses an unknown period with a reason, never a 500."""
    answer = httpx.get(stack.url("stats") + "/api/v1/deadlines", params={"period": "1w"})
    assert answer.status_code in (400, 422) and "period" in answer.text
