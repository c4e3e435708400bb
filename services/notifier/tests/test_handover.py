"""Handing a threat over outside the police: the partner list, the refusals, the webhook delivery, the history."""

import asyncio
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from kmzb_notifier.adapters.webhooks import HttpWebhookSender

from .conftest import Harness

CONFIRMED = ("WERYFIKACJA", "POTWIERDZONE")


class _Partner(BaseHTTPRequestHandler):
    """A partner's dispatch system on localhost: answers 503 to the first ``failures`` posts, then 200."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        server = self.server
        body = self.rfile.read(int(self.headers["content-length"]))
        server.posts.append((self.headers["x-kmzb-event-id"], json.loads(body)))  # type: ignore[attr-defined]
        failing = len(server.posts) <= server.failures  # type: ignore[attr-defined]
        self.send_response(503 if failing else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002 - quiet
        pass


@pytest.fixture
def partner_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    server.posts, server.failures = [], 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def partners_file(tmp_path, partner_server):
    path = tmp_path / "partners.json"
    url = f"http://127.0.0.1:{partner_server.server_port}/kmzb"
    partners = [
        {
            "partner_id": "zdmk",
            "name_pl": "Zarząd Dróg Miasta Krakowa",
            "kind": "ZARZAD_DROGI",
            "units": ["KMP-1261"],
            "webhook_url": url,
        },
        {"partner_id": "um-krakow", "name_pl": "Urząd Miasta Krakowa", "kind": "GMINA", "units": ["KMP-1261"]},
        {"partner_id": "n-myslenice", "name_pl": "Nadleśnictwo Myślenice", "kind": "NADLESNICTWO", "units": ["KWP-12"]},
        {"partner_id": "um-gdansk", "name_pl": "Urząd Miejski w Gdańsku", "kind": "GMINA", "units": ["KMP-2261"]},
    ]
    path.write_text(json.dumps({"partners": partners}), encoding="utf-8")
    return path


def _confirmed_task(h: Harness, routed) -> tuple[str, dict]:
    r = routed(category="NIEWLASCIWA_INFRASTRUKTURA_DROGOWA")
    asyncio.run(h.notifier.reports.handle_routed(r))
    task_id = str(h.db["tasks"].find_one({"report_id": str(r.report.report_id)})["task_id"])
    auth = h.login("koordynator.krakow")
    for status in CONFIRMED:
        assert h.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": status}, headers=auth).status_code == 200
    return task_id, auth


def test_a_units_list_holds_its_own_partners_first_then_the_generic_kinds_it_lacks(partners_file):
    """Kraków's list: its gmina and road manager, the voivodeship's forest district, then the other kinds by name."""
    h = Harness(partners_file=str(partners_file))
    auth = h.login("koordynator.krakow")
    # The unit's chain, as the notifier learns it from the unit's first task.
    h.db["units"].insert_one({"_id": "KMP-1261", "chain": ["KGP", "KWP-12", "KMP-1261"]})
    listed = h.http.get("/api/v1/units/KMP-1261/partners", headers=auth).json()
    names = [p["name_pl"] for p in listed]
    assert names[:3] == ["Urząd Miasta Krakowa", "Zarząd Dróg Miasta Krakowa", "Nadleśnictwo Myślenice"]
    assert "Straż miejska lub gminna" in names and "Urząd gminy lub miasta" not in names
    assert "Urząd Miejski w Gdańsku" not in names
    by_id = {p["partner_id"]: p for p in listed}
    assert by_id["zdmk"]["has_webhook"] is True and by_id["um-krakow"]["has_webhook"] is False
    assert by_id["zdmk"]["kind_pl"] == "Zarząd drogi"
    assert h.http.get("/api/v1/units/KMP-1261/partners", headers=h.login("dzielnicowy.gdansk")).status_code == 403


def test_the_packaged_list_offers_every_kind_to_a_unit_with_no_partners_of_its_own(harness):
    """Without configuration a unit still gets one generic partner of each kind (gmina, road manager, ...)."""
    listed = harness.http.get("/api/v1/units/KMP-9999/partners", headers=harness.login("admin")).json()
    assert [p["name_pl"] for p in listed][:4] == [
        "Urząd gminy lub miasta",
        "Zarząd drogi",
        "Straż miejska lub gminna",
        "Nadleśnictwo",
    ]


@pytest.mark.parametrize(
    ("partner_id", "code"), [(None, "partner_required"), ("nikt", "partner_unknown"), ("um-gdansk", "partner_unknown")]
)
def test_a_handover_without_a_partner_of_the_units_list_is_422_on_the_partner_field(
    partners_file, routed, partner_id, code
):
    """No partner, an unknown one, or another unit's partner: 422 with a Polish reason; the task stays Potwierdzone."""
    h = Harness(partners_file=str(partners_file))
    task_id, auth = _confirmed_task(h, routed)
    body = {"status": "POTWIERDZONE_PRZEKAZANE", "note": "Ubytek w jezdni.", "partner_id": partner_id}
    resp = h.http.post(f"/api/v1/tasks/{task_id}/status", json=body, headers=auth)
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == code and error["details"][0]["field"] == "partner_id"
    assert "partner" in error["message"].lower()
    assert h.http.get(f"/api/v1/tasks/{task_id}", headers=auth).json()["status"] == "POTWIERDZONE"


def test_a_handover_is_delivered_to_the_partners_webhook_with_retries_and_shown_in_the_history(
    partners_file, partner_server, routed
):
    """The road manager's server refuses once, then takes the handover; the history names it and the delivery state."""
    h = Harness(partners_file=str(partners_file), sender=HttpWebhookSender(timeout_s=5), webhooks={"base_delay_s": 0})
    task_id, auth = _confirmed_task(h, routed)
    body = {"status": "POTWIERDZONE_PRZEKAZANE", "note": "Ubytek w jezdni, 40 cm.", "partner_id": "zdmk"}
    resp = h.http.post(f"/api/v1/tasks/{task_id}/status", json=body, headers=auth)
    assert resp.status_code == 200, resp.text

    top = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()["timeline"][0]
    assert top["partner_name"] == "Zarząd Dróg Miasta Krakowa"
    assert top["delivery"]["state"] == "pending" and top["delivery"]["attempts"] == 0

    assert asyncio.run(h.notifier.timers.deliver_webhooks()) == 0  # 503
    top = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()["timeline"][0]
    assert top["delivery"]["state"] == "pending" and top["delivery"]["last_error"] == "HTTP 503"
    assert asyncio.run(h.notifier.timers.deliver_webhooks()) == 1
    top = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()["timeline"][0]
    assert top["delivery"]["state"] == "delivered" and top["delivery"]["attempts"] == 2

    (first_id, first), (second_id, second) = partner_server.posts
    assert first_id == second_id and second == first
    assert second["type"] == "TaskHandedOver"
    data = second["data"]
    assert data["partner_name"] == "Zarząd Dróg Miasta Krakowa" and data["note"] == "Ubytek w jezdni, 40 cm."
    assert data["category_pl"] == "Niewłaściwa infrastruktura drogowa" and data["task_id"] == task_id
    assert "description" not in json.dumps(data) and "device" not in json.dumps(data)
    # The partner gets its handover only, never the unit's other items (the status changes before it).
    assert len(partner_server.posts) == 2
    card = h.http.get(f"/api/v1/tasks/{task_id}/card.pdf", headers=auth)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(card.content)).pages)
    assert "Zarząd Dróg Miasta Krakowa" in text


def test_a_handover_to_a_partner_without_a_webhook_is_recorded_with_no_delivery(partners_file, routed):
    """Urząd Miasta Krakowa has no webhook: the history names it and nothing is queued."""
    h = Harness(partners_file=str(partners_file))
    task_id, auth = _confirmed_task(h, routed)
    body = {
        "status": "POTWIERDZONE_PRZEKAZANE",
        "note": "Pismo do wydziału gospodarki komunalnej.",
        "partner_id": "um-krakow",
    }
    resp = h.http.post(f"/api/v1/tasks/{task_id}/status", json=body, headers=auth)
    assert resp.status_code == 200, resp.text
    top = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth).json()["timeline"][0]
    assert top["partner_name"] == "Urząd Miasta Krakowa" and top["delivery"] is None
    assert h.db["webhook_deliveries"].count_documents({}) == 0
