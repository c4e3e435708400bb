"""The Atom alert feed of an area's public threats: what it carries, what it never shows, what it refuses."""

from __future__ import annotations

import asyncio

import feedparser
import pytest

KRAKOW = "19.80,49.95,20.10,50.15"


def _open(h, routed, **kwargs) -> str:
    r = routed(**kwargs)
    asyncio.run(h.notifier.reports.handle_routed(r))
    return str(h.db["tasks"].find_one({"report_id": str(r.report.report_id)})["task_id"])


def _feed(h, **params):
    resp = h.http.get("/api/v1/public/threats.atom", params=params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.bozo_exception
    return resp, parsed


def test_a_filed_threat_is_an_entry_with_polish_title_public_place_and_link(harness, routed):
    """The feed parses as Atom; the threat's entry has a Polish title with diacritics, its point and a map link."""
    task_id = _open(harness, routed, category="PRZEKRACZANIE_PREDKOSCI")
    resp, feed = _feed(harness, bbox=KRAKOW)
    assert feed.version == "atom10"
    assert feed.feed.title == "KMZB: zagrożenia, obszar 49,95–50,15° N, 19,80–20,10° E"
    assert feed.feed.language == "pl"
    [entry] = feed.entries
    assert entry.id == f"urn:uuid:{task_id}"
    assert entry.title == "Przekraczanie dozwolonej prędkości: Nowe"
    assert "zgłoszeń: 1" in entry.summary and "50,06140, 19,93660" in entry.summary
    assert entry.where["coordinates"] == pytest.approx((19.9366, 50.0614))
    assert entry.link == "http://127.0.0.1:8000/mapa?lat=50.0614&lon=19.9366&zoom=16"
    assert entry.tags[0]["term"] == "PRZEKRACZANIE_PREDKOSCI"
    self_link = next(link["href"] for link in feed.feed.links if link["rel"] == "self")
    assert self_link.endswith("/svc/notifier/api/v1/public/threats.atom?bbox=19.80%2C49.95%2C20.10%2C50.15")


def test_the_feed_never_carries_the_description_reporter_data_or_report_ids(harness, routed):
    """Only the public view's fields reach the XML: the report's text, device hash and ids stay out."""
    r = routed()
    asyncio.run(harness.notifier.reports.handle_routed(r))
    resp, _ = _feed(harness, bbox=KRAKOW)
    text = resp.text
    assert r.report.description and r.report.description not in text
    assert r.report.device_key_hash not in text
    assert str(r.report.report_id) not in text and str(r.event_id) not in text


def test_hidden_threats_leave_the_feed_and_privacy_categories_are_snapped(harness, routed):
    """A threat marked Żart lub pomyłka is not in the feed; a homeless person's place is its cell's centre."""
    joke = _open(harness, routed, category="AKTY_WANDALIZMU")
    auth = harness.login("koordynator.krakow")
    for status, note in (("WERYFIKACJA", None), ("ZART_LUB_POMYLKA", "Zgłoszenie dla żartu.")):
        answer = harness.http.post(f"/api/v1/tasks/{joke}/status", json={"status": status, "note": note}, headers=auth)
        assert answer.status_code == 200, answer.text
    person = _open(harness, routed, category="OSOBA_BEZDOMNA", lat=50.0700, lon=19.9100)
    _, feed = _feed(harness, bbox=KRAKOW)
    assert [e.id for e in feed.entries] == [f"urn:uuid:{person}"]
    lon, lat = feed.entries[0].where["coordinates"]
    assert (lat, lon) != (50.07, 19.91)
    assert "Miejsce przybliżone" in feed.entries[0].summary


def test_the_feed_filters_by_categories_and_by_a_units_land(harness, routed):
    """Repeated category codes narrow the feed; unit= takes the threats of that unit and its subunits only."""
    _open(harness, routed, category="PRZEKRACZANIE_PREDKOSCI")
    _open(harness, routed, category="DZIKIE_WYSYPISKA", lat=50.08, lon=19.95)
    _open(harness, routed, category="DZIKIE_WYSYPISKA", lat=54.35, lon=18.65, unit="KMP-2261")
    _, only_dumps = _feed(harness, bbox=KRAKOW, category=["DZIKIE_WYSYPISKA"])
    assert [e.title for e in only_dumps.entries] == ["Dzikie wysypiska śmieci: Nowe"]
    assert only_dumps.feed.title.endswith("(Dzikie wysypiska śmieci)")
    _, gdansk = _feed(harness, unit="KMP-2261")
    assert [e.title for e in gdansk.entries] == ["Dzikie wysypiska śmieci: Nowe"]
    _, voivodeship = _feed(harness, unit="KWP-12")
    assert len(voivodeship.entries) == 2


@pytest.mark.parametrize(
    ("params", "code", "polish", "english"),
    [
        ({"bbox": "14.0,49.0,24.2,55.0"}, "area_too_large", "większy niż województwo", "larger than a voivodeship"),
        ({"unit": "KGP"}, "area_too_large", "najwyżej województwo", "at most a voivodeship"),
        ({"bbox": "19.8,49.9,20.1"}, "invalid_bbox", "Nieprawidłowy obszar", "Invalid area"),
        ({"bbox": "20.1,49.9,19.8,50.1"}, "invalid_bbox", "Nieprawidłowy obszar", "Invalid area"),
        ({"bbox": "nan,49.9,inf,50.1"}, "invalid_bbox", "Nieprawidłowy obszar", "Invalid area"),
        ({"bbox": "x,y,z,w"}, "invalid_bbox", "Nieprawidłowy obszar", "Invalid area"),
        ({}, "area_required", "Podaj obszar", "Give the feed's area"),
        ({"bbox": KRAKOW, "unit": "KMP-1261"}, "area_required", "Podaj obszar", "Give the feed's area"),
        ({"unit": "kmp 1261"}, "invalid_unit", "identyfikator jednostki", "Invalid unit id"),
        ({"bbox": KRAKOW, "category": "NIE_MA_TAKIEJ"}, "unknown_category", "Nieznana kategoria", "Unknown category"),
    ],
)
def test_bad_areas_and_unknown_categories_are_422_with_a_reason_in_both_languages(
    harness, params, code, polish, english
):
    """Every refusal names its reason: Polish by default, English with Accept-Language: en."""
    pl = harness.http.get("/api/v1/public/threats.atom", params=params)
    assert pl.status_code == 422 and pl.json()["error"]["code"] == code
    assert polish in pl.json()["error"]["message"]
    en = harness.http.get("/api/v1/public/threats.atom", params=params, headers={"Accept-Language": "en"})
    assert en.status_code == 422 and english in en.json()["error"]["message"]
