"""The officer console in headless Chromium: sign in, see the unit's task, change its status."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from conftest import ARTIFACTS, Stack
from playwright.sync_api import Page, expect, sync_playwright
from web_browser import browser_page, run_axe

from kmzb_common.localstack import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        yield from browser_page(p)


def test_an_officer_signs_in_and_changes_a_task_status(stack: Stack, page: Page) -> None:
    """A Kraków officer sees the new report among the unit's tasks and moves it to verification."""
    with stack.client("intake") as c:
        body = {"category": "ZEBRACTWO", "lat": 50.0619, "lon": 19.9368, "terms_accepted": True}
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        accepted = c.post("/api/v1/reports", json=body)
        assert accepted.status_code == 202, accepted.text
    report_id = accepted.json()["report_id"]
    with stack.client("notifier") as n:
        token = n.post(
            "/api/v1/auth/token", data={"username": "dzielnicowy.krakow", "password": "demo", "grant_type": "password"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        def task_of_report() -> dict | None:
            tasks = n.get("/api/v1/units/KMP-1261/tasks?limit=1000", headers=auth).json()["tasks"]
            return next((t for t in tasks if report_id in t.get("report_ids", [t["report_id"]])), None)

        wait_until(lambda: task_of_report() is not None, timeout_s=60, what="the report's task")
        task_id = task_of_report()["task_id"]

    page.goto(stack.url("intake") + "/konsola")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    page.get_by_label("Login").fill("dzielnicowy.krakow")
    page.get_by_label("Hasło").fill("demo")
    page.get_by_role("button", name="Zaloguj").click()
    card = page.locator(f'[data-task-id="{task_id}"]')
    expect(card).to_be_visible(timeout=30_000)
    expect(page.locator("#who")).to_contain_text("KMP-1261")
    card.get_by_label("Nowy status").select_option("WERYFIKACJA")
    card.get_by_label("Notatka").fill("Dzielnicowy sprawdzi na miejscu.")
    card.get_by_role("button", name="Zmień status").click()
    card = page.locator(f'[data-task-id="{task_id}"]')
    expect(card.locator(".task-status")).to_have_text("Weryfikacja", timeout=15_000)
    expect(card.get_by_role("status")).to_have_text("Status zmieniony.")
    with stack.client("notifier") as n:
        assert n.get(f"/api/v1/tasks/{task_id}", headers=auth).json()["status"] == "WERYFIKACJA"

    # Live: a new report's task appears through the unit's feed (sooner than the 15 s re-poll), no reload.
    expect(page.locator("#live-status")).to_contain_text("Na żywo")
    cards = page.locator("[data-task-id]").count()
    with stack.client("intake") as c:
        c.cookies.set("kmzb_device", uuid.uuid4().hex)
        body = {"category": "AKTY_WANDALIZMU", "lat": 50.0702, "lon": 19.9451, "terms_accepted": True}
        assert c.post("/api/v1/reports", json=body).status_code == 202
    expect(page.locator("[data-task-id]")).to_have_count(cards + 1, timeout=10_000)
    assert run_axe(page) == []
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "konsola-zmiana-statusu.png"), full_page=True)
