"""The pages' Content-Security-Policy and /config.js follow the tile and geocoder settings."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from kmzb_intake.entrypoints.web import mount_web, page_csp
from kmzb_intake.settings import IntakeSettings

SECRET = "s" * 32


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split("; ")}


def test_without_tiles_or_geocoder_the_pages_reach_only_their_own_origin():
    """make run's defaults: images and connections stay on the intake (the proxy serves the other services)."""
    csp = _directives(page_csp(IntakeSettings(device_key_secret=SECRET)))
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]


def test_the_tile_and_geocoder_origins_come_from_their_settings():
    """A {s} subdomain becomes a wildcard; the geocoder's origin is allowed for fetch; nothing is hard-coded."""
    settings = IntakeSettings(
        device_key_secret=SECRET,
        web_tile_url="https://{s}.tile.example.org/osm/{z}/{x}/{y}.png",
        web_geocoder_url="https://geocoder.example.net:8443/search",
    )
    csp = _directives(page_csp(settings))
    assert csp["img-src"][-1] == "https://*.tile.example.org"
    assert csp["connect-src"] == ["'self'", "https://geocoder.example.net:8443"]


def test_without_the_proxy_the_pages_may_call_the_services_origins():
    """With web_proxy off the browser calls the notifier, stats and geo-router directly."""
    settings = IntakeSettings(device_key_secret=SECRET, web_proxy=False, web_stats_url="http://stats.kmzb:8002/")
    assert "http://stats.kmzb:8002" in _directives(page_csp(settings))["connect-src"]


@pytest.mark.parametrize("bad", ["tile.example.org/{z}/{x}/{y}.png", "javascript:alert(1)", "file:///etc/passwd"])
def test_a_tile_url_that_is_not_absolute_http_is_refused_at_start(bad):
    """A setting the CSP cannot name is a start-up error, not a broken map."""
    with pytest.raises(ValidationError):
        IntakeSettings(device_key_secret=SECRET, web_tile_url=bad)


def test_every_page_carries_the_policy_and_config_js_hands_the_settings_to_the_page():
    """Pages (and the 404 page) send the CSP; /config.js carries tiles, geocoder and the statement's contact."""
    settings = IntakeSettings(
        device_key_secret=SECRET,
        web_tile_url="https://tiles.example.org/{z}/{x}/{y}.png",
        web_tile_attribution="© OpenStreetMap",
        web_geocoder_url="https://geocoder.example.net/search",
        web_geocoder_timeout_s=2.5,
        accessibility={"contact_email": "a11y@policja.example"},
    )
    app = FastAPI()

    class NoReports:
        async def state(self, report_id: str) -> None:
            return None

    mount_web(app, settings, public=NoReports())  # type: ignore[arg-type]
    with TestClient(app) as client:
        for path in ("/mapa", "/lista", "/dostepnosc", "/zgloszenie/nie-ma"):
            answer = client.get(path)
            assert "https://tiles.example.org" in answer.headers["content-security-policy"], path
        body = client.get("/config.js").text
        config = json.loads(body.removeprefix("window.KMZB_CONFIG = ").removesuffix(";\n"))
    assert config["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert config["geocoder"] == {"url": "https://geocoder.example.net/search", "attribution": "", "timeoutMs": 2500}
    assert config["accessibility"]["contact_email"] == "a11y@policja.example"
    assert config["feedMaxSpan"] == [4.0, 2.5]
