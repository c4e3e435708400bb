"""Place names of cells and the territories of units, from the packaged index and gazetteer."""

from __future__ import annotations

import re

import h3
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_geo_router.adapters.jurisdiction_files import packaged
from kmzb_geo_router.adapters.places_file import load_gazetteer
from kmzb_geo_router.bootstrap import load_holder
from kmzb_geo_router.entrypoints.geodata_api import build_geodata_router
from kmzb_geo_router.settings import GeoRouterSettings


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(
        build_geodata_router(load_holder(GeoRouterSettings()), load_gazetteer(packaged("places_pl.json.gz")))
    )
    return TestClient(app)


def test_a_cell_in_central_krakow_is_named_krakow_with_the_city_population(client: TestClient) -> None:
    """The Main Square's cell is Kraków, city powiat 1261 in małopolskie, with GeoNames' population."""
    cell = h3.latlng_to_cell(50.0614, 19.9366, 8)
    [place] = client.get("/api/v1/cells/places", params={"cell": cell}).json()["places"]
    assert place["locality"] == "Kraków" and place["label_pl"] == "Kraków"
    assert place["powiat_teryt"] == "1261" and place["voivodeship_name_pl"] == "małopolskie"
    assert place["unit_id"] == "KMP-1261" and place["powiat_population"] > 700_000


def test_a_land_powiat_names_its_locality_and_the_powiat_but_no_population(client: TestClient) -> None:
    """Wieliczka lies in the land powiat wielicki: named with the powiat, no population claimed."""
    cell = h3.latlng_to_cell(49.987, 20.064, 8)
    [place] = client.get("/api/v1/cells/places", params={"cell": cell}).json()["places"]
    assert place["label_pl"] == "Wieliczka, powiat wielicki"
    assert place["powiat_population"] is None


def test_cells_outside_poland_are_left_out_and_bad_cells_get_a_400(client: TestClient) -> None:
    """Berlin has no place; a malformed cell id is a 400 with a reason, not a 500."""
    berlin = h3.latlng_to_cell(52.52, 13.40, 8)
    assert client.get("/api/v1/cells/places", params={"cell": berlin}).json()["places"] == []
    answer = client.get("/api/v1/cells/places", params={"cell": "not-a-cell"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_cell"


def test_a_voivodeship_command_covers_the_territory_of_its_powiats(client: TestClient) -> None:
    """KWP-12's territory holds KMP Kraków's cells and none of Warsaw's; an unknown unit is a 404."""
    kwp = set(client.get("/api/v1/units/KWP-12/territory").json()["cells"])
    krakow = set(client.get("/api/v1/units/KMP-1261/territory").json()["cells"])
    warsaw = set(client.get("/api/v1/units/KSP/territory").json()["cells"])
    assert krakow and krakow <= kwp and not warsaw & kwp
    assert client.get("/api/v1/units/KMP-9999/territory").status_code == 404


def test_cells_in_different_localities_and_parts_of_one_city_are_named_apart(client: TestClient) -> None:
    """Wieliczka, Skawina, Tarnów and four parts of Kraków: seven cells, seven names, each where it lies."""
    points = {
        "main_square": (50.0614, 19.9366),
        "nowa_huta": (50.072, 20.037),
        "bronowice": (50.08, 19.88),
        "podgorze": (50.04, 19.96),
        "wieliczka": (49.987, 20.064),
        "skawina": (49.975, 19.828),
        "tarnow": (50.0125, 20.988),
    }
    cells = {name: h3.latlng_to_cell(lat, lon, 8) for name, (lat, lon) in points.items()}
    answer = client.get("/api/v1/cells/places", params=[("cell", c) for c in cells.values()]).json()["places"]
    by_cell = {p["cell"]: p for p in answer}
    labels = {name: by_cell[cell]["label_pl"] for name, cell in cells.items()}
    assert len(set(labels.values())) == len(points), labels
    assert labels["main_square"] == "Kraków"
    assert labels["nowa_huta"] == "Kraków (7,4 km na wschód od centrum)"
    assert labels["bronowice"].startswith("Kraków (") and "północny zachód" in labels["bronowice"]
    assert labels["podgorze"].startswith("Kraków (") and "południowy wschód" in labels["podgorze"]
    assert labels["wieliczka"] == "Wieliczka, powiat wielicki"
    assert labels["skawina"] == "Skawina, powiat krakowski"
    assert labels["tarnow"] == "Tarnów"
    assert by_cell[cells["nowa_huta"]]["label_en"] == "Kraków (7.4 km east of the centre)"


def test_only_the_cell_holding_a_citys_centre_bears_its_plain_name(client: TestClient) -> None:
    """The Main Square's cell is "Kraków"; its six neighbours, under 1.5 km away, are each named apart."""
    centre = h3.latlng_to_cell(50.0614, 19.9366, 8)
    ring = h3.grid_ring(centre, 1)
    answer = client.get("/api/v1/cells/places", params=[("cell", c) for c in [centre, *ring]]).json()["places"]
    labels = {p["cell"]: p["label_pl"] for p in answer}
    assert labels[centre] == "Kraków"
    around = [labels[c] for c in ring]
    assert len(set(around)) == 6 and all(re.fullmatch(r"Kraków \((0|1),\d km na .+ od centrum\)", a) for a in around)
    # Outside city powiats a locality's plain name reaches 1.5 km: no cell next to Wieliczka's is qualified.
    wieliczka = h3.latlng_to_cell(49.987, 20.064, 8)
    near = client.get("/api/v1/cells/places", params=[("cell", c) for c in h3.grid_ring(wieliczka, 1)]).json()
    assert "Wieliczka, powiat wielicki" in {p["label_pl"] for p in near["places"]}
    assert not [p["label_pl"] for p in near["places"] if "od centrum" in p["label_pl"]]


def test_a_cell_in_warsaw_is_named_in_polish_not_by_the_english_exonym(client: TestClient) -> None:
    """GeoNames' main name of Warsaw is English: the dashboard's cell names say Warszawa."""
    cells = [h3.latlng_to_cell(52.2297, 21.0118, 8), h3.latlng_to_cell(52.23, 21.06, 8)]
    labels = [
        p["label_pl"] for p in client.get("/api/v1/cells/places", params=[("cell", c) for c in cells]).json()["places"]
    ]
    assert labels[0] == "Warszawa" and labels[1].startswith("Warszawa (") and labels[1].endswith("od centrum)"), labels
    assert not [label for label in labels if "Warsaw" in label]
