"""Geo-router domain: real Polish places, the border and coast rules, operator units, index swaps."""

import gzip
import json
from datetime import UTC, datetime

import h3
import pytest
from kafka_helpers import report

from kmzb_contracts import UnroutedReason
from kmzb_geo_router.adapters.jurisdiction_files import JurisdictionHolder, load_jurisdiction, packaged, read_index
from kmzb_geo_router.domain.jurisdiction import (
    INDEX_RESOLUTION,
    CellResolutions,
    Jurisdiction,
    JurisdictionError,
    parse_operator_units,
)
from kmzb_geo_router.domain.routing import route_report

SAMPLE = packaged("operator_sample_warszawa.geojson")


@pytest.fixture(scope="module")
def national():
    """The packaged index without operator units."""
    return load_jurisdiction()


@pytest.fixture(scope="module")
def with_beats():
    """The packaged index with the Warsaw operator sample (KRP Warszawa I and four beats)."""
    return load_jurisdiction(operator_path=SAMPLE)


def ids(decision):
    return [u.unit_id for u in decision.chain]


@pytest.mark.parametrize(
    ("lat", "lon", "chain", "powiat"),
    [
        (50.0614, 19.9366, ["KGP", "KWP-12", "KMP-1261"], "1261"),  # Kraków, Rynek Główny
        (54.3520, 18.6466, ["KGP", "KWP-22", "KMP-2261"], "2261"),  # Gdańsk, Długi Targ
        (52.2318, 21.0060, ["KGP", "KSP"], "1465"),  # Warsaw, Palace of Culture: KSP without district data
        (49.2992, 19.9496, ["KGP", "KWP-12", "KPP-1217"], "1217"),  # Zakopane, powiat tatrzański
        (52.1700, 20.8100, ["KGP", "KSP", "KPP-1421"], "1421"),  # Pruszków: KSP's ring of powiats
        (51.4027, 21.1471, ["KGP", "KWP-14", "KMP-1463"], "1463"),  # Radom: KWP Radom, not KSP
        (51.7592, 19.4560, ["KGP", "KWP-10", "KMP-1061"], "1061"),  # Łódź
        (54.4416, 18.5601, ["KGP", "KWP-22", "KMP-2264"], "2264"),  # Sopot, a small city powiat
    ],
)
def test_real_places_go_to_the_unit_that_owns_their_powiat(national, lat, lon, chain, powiat):
    decision = national.route(lat=lat, lon=lon)
    assert ids(decision) == chain
    assert decision.powiat_teryt == powiat
    assert decision.voivodeship_teryt == powiat[:2]
    assert not decision.offshore


def test_the_index_holds_every_powiat_and_voivodeship_command(national):
    units = national.units()
    by_type = {}
    for u in units:
        by_type.setdefault(u.type.value, []).append(u)
    assert len(by_type["KWP"]) == 16 and len(by_type["KSP"]) == 1
    # 380 powiats: Warsaw is KSP's own, the other 379 have a KMP (65 cities) or a KPP (314 land powiats).
    assert len(by_type["KMP"]) == 65 and len(by_type["KPP"]) == 314
    assert national.unit("KPP-1421").parent == "KSP"
    assert national.unit("KPP-1401").parent == "KWP-14"
    assert national.unit("KMP-1261").name_pl == "Komenda Miejska Policji (Kraków)"


def test_central_warsaw_reaches_the_beat_when_operator_districts_are_loaded(with_beats):
    decision = with_beats.route(lat=52.2318, lon=21.0060)
    assert ids(decision) == ["KGP", "KSP", "KRP-I", "RD-KRP-I-03"]
    assert with_beats.unit("RD-KRP-I-03").recipients("porzadek") == ("Dzielnicowy rejonu nr 3",)
    # Outside the sample's district the owner stays KSP; elsewhere nothing changes.
    assert ids(with_beats.route(lat=52.1500, lon=21.0500)) == ["KGP", "KSP"]
    assert ids(with_beats.route(lat=50.0614, lon=19.9366)) == ["KGP", "KWP-12", "KMP-1261"]


def test_a_village_on_a_powiat_border_goes_to_the_owner_of_its_cell(national):
    # Zabierzów Bocheński (gmina Niepołomice, powiat wielicki) lies next to powiat bocheński.
    lat, lon = 50.06821, 20.31896
    cell = h3.latlng_to_cell(lat, lon, INDEX_RESOLUTION)
    neighbours = {national.route(lat=a, lon=b).unit_id for a, b in map(h3.cell_to_latlng, h3.grid_ring(cell, 1))}
    assert "KPP-1201" in neighbours, "the village's cell borders powiat bocheński"
    centre = h3.cell_to_latlng(cell)
    inner = [((9 * a + centre[0]) / 10, (9 * b + centre[1]) / 10) for a, b in h3.cell_to_boundary(cell)]
    points = [centre, (lat, lon), *inner]
    assert {national.route(lat=a, lon=b).unit_id for a, b in points} == {"KPP-1219"}
    assert ids(national.route(lat=lat, lon=lon)) == ["KGP", "KWP-12", "KPP-1219"]


def test_a_point_one_km_offshore_goes_to_the_nearest_coastal_unit(national):
    # About 1 km off the beach at Łeba (powiat lęborski).
    decision = national.route(lat=54.7750, lon=17.5500)
    assert ids(decision) == ["KGP", "KWP-22", "KPP-2208"]
    assert decision.offshore


def test_open_sea_berlin_and_prague_are_explicitly_unrouted(national):
    for lat, lon in [(55.0, 18.3), (52.52, 13.40), (50.0755, 14.4378)]:
        decision = national.route(lat=lat, lon=lon)
        assert decision.unit_id is None
        assert decision.unrouted_reason is UnroutedReason.OUTSIDE_JURISDICTION


def test_road_categories_also_go_to_the_traffic_department(national):
    kpp = national.unit("KPP-1217")
    assert kpp.recipients("drogowe") == ("Koordynator KMZB", "Wydział Ruchu Drogowego")
    assert kpp.recipients("porzadek") == ("Koordynator KMZB",)


def test_search_finds_units_by_name_id_and_teryt(national):
    assert [u.unit_id for u in national.search("tatrzański")] == ["KPP-1217"]
    assert [u.unit_id for u in national.search("1261")] == ["KMP-1261"]
    assert "KWP-12" in [u.unit_id for u in national.search("krakowie")]


def test_operator_data_with_an_unknown_parent_or_type_is_refused(national):
    ring = [[21.0, 52.2], [21.01, 52.2], [21.01, 52.21], [21.0, 52.2]]
    base = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    bad_parent = {**base, "properties": {"unit_id": "KP-X", "name_pl": "Komisariat X", "type": "KP", "parent": "NOPE"}}
    bad_type = {**base, "properties": {"unit_id": "KWP-99", "name_pl": "X", "type": "KWP", "parent": "KGP"}}
    raw = read_index(packaged("jurisdiction_pl.json.gz").read_bytes())
    with pytest.raises(JurisdictionError, match="unknown parent"):
        Jurisdiction(raw, parse_operator_units({"type": "FeatureCollection", "features": [bad_parent]}))
    with pytest.raises(JurisdictionError, match="cannot come from operator data"):
        parse_operator_units({"type": "FeatureCollection", "features": [bad_type]})


def test_a_new_index_version_is_validated_then_swapped_in(national):
    data = packaged("jurisdiction_pl.json.gz").read_bytes()
    holder = JurisdictionHolder(national, operator_units=[])
    assert holder.accept(data) is False  # same version: nothing to do
    raw = read_index(data)
    # A new version that moves Zakopane's cells to powiat nowotarski.
    for p in raw["powiats"]:
        if p["teryt"] == "1217":
            moved = p["cells"]
            p["cells"] = []
    next(p for p in raw["powiats"] if p["teryt"] == "1211")["cells"].extend(moved)
    raw["version"] = "pl-test-moved"
    assert holder.accept(gzip.compress(json.dumps(raw).encode())) is True
    assert holder.current().version == "pl-test-moved"
    assert ids(holder.current().route(lat=49.2992, lon=19.9496)) == ["KGP", "KWP-12", "KPP-1211"]
    with pytest.raises(JurisdictionError):
        holder.accept(b"not an index")
    assert holder.current().version == "pl-test-moved"


def test_routed_event_ids_are_derived_from_the_report_so_redelivery_repeats_them(national):
    submitted = report(lat=50.0614, lon=19.9366)
    now = datetime.now(UTC)
    first = route_report(submitted, jurisdiction=national, resolutions=CellResolutions(), now=now)
    second = route_report(submitted, jurisdiction=national, resolutions=CellResolutions(), now=now)
    assert first.event_id == second.event_id
    assert first.unit_id == "KMP-1261"
    assert first.jurisdiction_version == national.version
    assert h3.get_resolution(first.cells.routing) == 7
    assert h3.get_resolution(first.cells.dedup) == 9
    assert h3.get_resolution(first.cells.hotspot) == 8
    assert h3.cell_to_parent(first.cells.dedup, 8) == first.cells.hotspot


def test_a_routed_report_names_the_owning_units_contacts_for_its_category_group(national):
    def routed(category: str, lat: float, lon: float):
        submitted = report(lat=lat, lon=lon, category=category)
        return route_report(submitted, jurisdiction=national, resolutions=CellResolutions(), now=datetime.now(UTC))

    speeding = routed("PRZEKRACZANIE_PREDKOSCI", 50.0614, 19.9366)
    assert speeding.unit_id == "KMP-1261"
    assert speeding.recipients == ("Koordynator KMZB", "Wydział Ruchu Drogowego")
    assert routed("ZEBRACTWO", 50.0614, 19.9366).recipients == ("Koordynator KMZB",)
    assert routed("ZEBRACTWO", 52.52, 13.40).recipients == ()
