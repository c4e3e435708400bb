"""A report's short number ("9DF4-47F9"): shown on the confirmation, typed back on the follow-up page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from importlib import resources

import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_contracts import ReportSubmitted, load_catalogue
from kmzb_intake.adapters.report_store import ReportStore
from kmzb_intake.domain.short_code import parse_short_code, short_code
from kmzb_intake.entrypoints.web import mount_web
from kmzb_intake.settings import IntakeSettings
from kmzb_intake.workflow import PublicReports

SAMPLE = resources.files("kmzb_contracts") / "samples" / "v1" / "ReportSubmitted.json"


@pytest.mark.parametrize("typed", ["9DF4-47F9", "9df447f9", " 9df4 47f9 ", "9Df4-47f9"])
def test_a_typed_number_is_read_whatever_its_case_spacing_or_dash(typed):
    """The resident may type the number as read out: case, a space or no dash do not matter."""
    assert parse_short_code(typed) == "9df447f9"


@pytest.mark.parametrize("typed", ["", "9DF4-47F", "9DF4-47F9X", "ZZZZ-1234", str(uuid.uuid4()), "9DF4--47F9"])
def test_anything_else_is_not_a_number(typed):
    """A full id, garbage or a wrong length is not taken for a short number."""
    assert parse_short_code(typed) is None


def test_the_number_is_the_ids_first_eight_hex_digits_grouped():
    """9df447f9-... is shown as 9DF4-47F9."""
    assert short_code("9df447f9-1c2b-4e5f-8a9b-0c1d2e3f4a5b") == "9DF4-47F9"


@pytest.fixture
def pages():
    """The web pages over a report store holding two reports that share their first 8 hex digits and one other."""
    db = mongomock.MongoClient(tz_aware=True)["kmzb"]
    store = ReportStore(db)
    base = ReportSubmitted.model_validate_json(SAMPLE.read_text(encoding="utf-8"))
    ids = ["9df447f9-0000-4000-8000-000000000001", "abcd1234-0000-4000-8000-000000000001",
           "abcd1234-0000-4000-8000-000000000002"]  # fmt: skip
    for rid in ids:
        store.record_submitted(base.model_copy(update={"report_id": uuid.UUID(rid), "event_id": uuid.uuid4()}))
    public = PublicReports(store, load_catalogue(), lambda: datetime.now(UTC))
    app = FastAPI()
    mount_web(app, IntakeSettings(device_key_secret="s" * 32), public=public)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_follow_up_page_takes_the_short_number_and_leads_to_the_reports_page(pages):
    """/zgloszenie/9DF4-47F9 and the form's ?numer= redirect to the full id (keeping English); unknown is a 404 page."""
    full = "/zgloszenie/9df447f9-0000-4000-8000-000000000001"
    for path in ("/zgloszenie/9DF4-47F9", "/zgloszenie?numer=9df4+47f9"):
        answer = pages.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == full
    english = pages.get("/zgloszenie/9DF4-47F9?lang=en")
    assert english.headers["location"].endswith("?lang=en")
    assert pages.get(english.headers["location"]).status_code == 200
    for unknown in ("/zgloszenie/0000-0000", "/zgloszenie?numer=", "/zgloszenie?numer=nie-wiem"):
        missing = pages.get(unknown)
        assert missing.status_code == 404 and "Nie znaleziono zgłoszenia" in missing.text
        assert 'name="numer"' in missing.text, "the 404 page offers the number form"


def test_a_number_two_reports_share_finds_neither(pages):
    """The look-up never guesses between two reports: someone else's report is never shown for a number."""
    assert pages.get("/zgloszenie/ABCD-1234").status_code == 404
