"""The admin CLI answers lookups and unit searches from the packaged index, and refuses bad input."""

import json

from kmzb_geo_router.cli import main


def test_lookup_prints_the_chain_and_teryt_codes(capsys):
    assert main(["lookup", "54.3520", "18.6466"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unit_chain"] == ["KGP", "KWP-22", "KMP-2261"]
    assert (out["powiat_teryt"], out["voivodeship_teryt"]) == ("2261", "22")


def test_lookup_outside_poland_exits_non_zero(capsys):
    assert main(["lookup", "52.52", "13.40"]) == 1
    assert "outside_jurisdiction" in capsys.readouterr().err


def test_units_search_lists_matching_units(capsys):
    assert main(["units", "--search", "KMP-12"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("KMP-12") for line in lines)
    assert any("Komenda Miejska Policji (Kraków)" in line for line in lines)


def test_publishing_an_invalid_index_is_refused_before_any_broker_call(tmp_path, capsys):
    bad = tmp_path / "index.json"
    bad.write_text('{"format": "something-else"}')
    assert main(["publish", str(bad)]) == 1
    assert "invalid index" in capsys.readouterr().err


def test_the_warsaw_sample_goes_only_with_the_packaged_index(monkeypatch):
    from kmzb_geo_router.settings import GeoRouterSettings

    assert GeoRouterSettings().operator_units() == "operator_sample_warszawa.geojson"
    monkeypatch.setenv("KMZB_GEO_ROUTER_JURISDICTION_PATH", "/etc/kmzb/jurisdiction/jurisdiction.json")
    assert GeoRouterSettings().operator_units() is None
    monkeypatch.setenv("KMZB_GEO_ROUTER_OPERATOR_UNITS_PATH", "/etc/kmzb/units.geojson")
    assert GeoRouterSettings().operator_units() == "/etc/kmzb/units.geojson"
    monkeypatch.setenv("KMZB_GEO_ROUTER_OPERATOR_UNITS_PATH", "")
    assert GeoRouterSettings().operator_units() is None
