"""The console's task routes: the full view, allowed moves, notes, assignment from the unit's officers, the PDF card."""

import asyncio
import io

import pytest
from pypdf import PdfReader


def _open(h, routed, **kwargs) -> str:
    r = routed(**kwargs)
    asyncio.run(h.notifier.reports.handle_routed(r))
    return str(h.db["tasks"].find_one({"report_id": str(r.report.report_id)})["task_id"])


def test_the_view_offers_only_the_allowed_moves_with_polish_labels_and_where_a_note_is_needed(harness, routed):
    """From Weryfikacja the console offers three verdicts; two of them ask for a note."""
    task_id = _open(harness, routed)
    auth = harness.login("koordynator.krakow")
    view = harness.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()
    assert [m["label_pl"] for m in view["allowed_moves"]] == ["Weryfikacja"]
    harness.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA"}, headers=auth)
    view = harness.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()
    moves = {m["label_pl"]: m["note_required"] for m in view["allowed_moves"]}
    assert moves == {"Potwierdzone": False, "Niepotwierdzone": True, "Żart lub pomyłka": True}
    assert view["timeline"][0]["kind"] == "status" and view["timeline"][0]["to_label_pl"] == "Weryfikacja"
    assert view["timeline"][-1]["kind"] == "opened"
    analyst = harness.http.get(f"/api/v1/tasks/{task_id}/view", headers=harness.login("analityk.kgp")).json()
    assert analyst["allowed_moves"] == [] and analyst["can_take"] is False


def test_a_forbidden_move_names_both_statuses_in_polish(harness, routed):
    """Nowe → Potwierdzone (wyeliminowane) is a 409 that speaks labels, not codes."""
    task_id = _open(harness, routed)
    resp = harness.http.post(
        f"/api/v1/tasks/{task_id}/status",
        json={"status": "POTWIERDZONE_WYELIMINOWANE"},
        headers=harness.login("koordynator.krakow"),
    )
    assert resp.status_code == 409
    message = resp.json()["error"]["message"]
    assert "„Nowe”" in message and "„Potwierdzone (wyeliminowane)”" in message and "NOWE" not in message


@pytest.mark.parametrize(
    ("note", "code"),
    [(None, "note_required"), ("   ", "note_required"), ("x" * 2001, "note_too_long"), ("<b>tak</b>", "note_markup")],
)
def test_a_verdict_that_needs_a_note_is_refused_next_to_the_note_field(harness, routed, note, code):
    """Niepotwierdzone without a note, or with an oversize or marked-up one, is a 422 on the field `note`."""
    task_id = _open(harness, routed)
    auth = harness.login("dzielnicowy.krakow")
    harness.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA"}, headers=auth)
    resp = harness.http.post(
        f"/api/v1/tasks/{task_id}/status", json={"status": "NIEPOTWIERDZONE", "note": note}, headers=auth
    )
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == code and error["details"] == [{"field": "note", "reason": code}]
    assert harness.http.get(f"/api/v1/tasks/{task_id}", headers=auth).json()["status"] == "WERYFIKACJA"


def test_an_internal_note_appears_in_the_timeline_and_never_on_the_public_map(harness, routed):
    """A note is kept with who and when, newest first; the public read model does not carry it."""
    task_id = _open(harness, routed)
    auth = harness.login("dzielnicowy.krakow")
    resp = harness.http.post(f"/api/v1/tasks/{task_id}/notes", json={"note": "Sprawdzę w piątek."}, headers=auth)
    assert resp.status_code == 201, resp.text
    top = resp.json()["timeline"][0]
    assert top["kind"] == "note" and top["note"] == "Sprawdzę w piątek." and top["by_name"] == "asp. Anna Nowak"
    assert "Sprawdzę" not in harness.http.get("/api/v1/public/threats").text
    bad = harness.http.post(f"/api/v1/tasks/{task_id}/notes", json={"note": "x" * 2001}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "note"
    other = harness.http.post(
        f"/api/v1/tasks/{task_id}/notes", json={"note": "?"}, headers=harness.login("dzielnicowy.gdansk")
    )
    assert other.status_code == 403


def test_assignment_offers_the_units_officers_and_refuses_anyone_else(harness, routed):
    """Kraków's officers are offered; a Gdańsk officer or an unknown id is a 404; an officer may take a task."""
    task_id = _open(harness, routed)
    coordinator = harness.login("koordynator.krakow")
    officers = harness.http.get("/api/v1/units/KMP-1261/officers", headers=coordinator).json()
    ids = {o["officer_id"] for o in officers}
    assert {"dzielnicowy.krakow", "koordynator.krakow"} <= ids and "dzielnicowy.gdansk" not in ids
    for stranger in ("dzielnicowy.gdansk", "nikt"):
        resp = harness.http.post(
            f"/api/v1/tasks/{task_id}/assignee", json={"officer_id": stranger}, headers=coordinator
        )
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "officer_not_found"
    resp = harness.http.post(
        f"/api/v1/tasks/{task_id}/assignee", json={"officer_id": "dzielnicowy.krakow"}, headers=coordinator
    )
    assert resp.status_code == 200 and resp.json()["assignee"] == "dzielnicowy.krakow"
    assert resp.json()["timeline"][0]["kind"] == "assigned"
    officer = harness.login("dzielnicowy.krakow")
    other = _open(harness, routed, lat=50.08, lon=19.99)
    mine = harness.http.post(
        f"/api/v1/tasks/{other}/assignee", json={"officer_id": "dzielnicowy.krakow"}, headers=officer
    )
    assert mine.status_code == 200 and mine.json()["can_take"] is False
    theirs = harness.http.post(
        f"/api/v1/tasks/{other}/assignee", json={"officer_id": "koordynator.krakow"}, headers=officer
    )
    assert theirs.status_code == 403


def test_the_verification_card_is_a_pdf_with_the_category_and_findings_in_polish_letters(harness, routed):
    """The card's text, read back with pypdf, holds the category name with its diacritics and the verdict's note."""
    task_id = _open(harness, routed, category="SPOZYWANIE_ALKOHOLU")
    auth = harness.login("koordynator.krakow")
    for status, note in (("WERYFIKACJA", None), ("NIEPOTWIERDZONE", "Na miejscu nie zastano grup pijących.")):
        resp = harness.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": status, "note": note}, headers=auth)
        assert resp.status_code == 200, resp.text
    resp = harness.http.get(f"/api/v1/tasks/{task_id}/card.pdf", headers=auth)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].startswith("attachment;")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "Karta weryfikacji zagrożenia" in text
    assert "Spożywanie alkoholu w miejscach niedozwolonych" in text
    assert "Na miejscu nie zastano grup pijących." in text and "Niepotwierdzone" in text
    assert (
        harness.http.get(f"/api/v1/tasks/{task_id}/card.pdf", headers=harness.login("dzielnicowy.gdansk")).status_code
        == 403
    )


def test_unknown_tasks_are_404_everywhere_in_the_console(harness):
    """The view, notes, assignment and card of an unknown task answer 404 with a reason."""
    auth = harness.login("admin")
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path, body in (
        ("get", "view", None),
        ("post", "notes", {"note": "x"}),
        ("post", "assignee", {"officer_id": "admin"}),
        ("get", "card.pdf", None),
    ):
        resp = getattr(harness.http, method)(
            f"/api/v1/tasks/{missing}/{path}", headers=auth, **({"json": body} if body else {})
        )
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "task_not_found"
