"""The open-data export of public threats: GeoJSON and CSV that parse, honour the filters and stream."""

import asyncio
import csv
import io
import json

import h3

from kmzb_contracts.open_data import THREAT_COLUMNS, csv_chunks, geojson_chunks


def run(coro):
    return asyncio.run(coro)


def _world(harness, routed):
    speeding = routed()
    homeless = routed(lat=50.07, lon=19.95, category="OSOBA_BEZDOMNA")
    joke = routed(lat=50.08, lon=19.96, category="ZEBRACTWO")
    gdansk = routed(lat=54.35, lon=18.65, unit="KMP-2261")
    for r in (speeding, homeless, joke, gdansk):
        run(harness.notifier.reports.handle_routed(r))
    tasks = harness.http.get("/api/v1/units/KMP-1261/tasks", headers=harness.login("admin")).json()["tasks"]
    beggar = next(t for t in tasks if t["category"] == "ZEBRACTWO")
    auth = harness.login("koordynator.krakow")
    for status in ("WERYFIKACJA", "ZART_LUB_POMYLKA"):
        answer = harness.http.post(
            f"/api/v1/tasks/{beggar['task_id']}/status", json={"status": status, "note": "Jan Kowalski"}, headers=auth
        )
        assert answer.status_code == 200, answer.text
    return speeding


def test_the_geojson_holds_only_public_threats_at_public_places_with_the_licence(harness, routed):
    """A joke is left out, the homeless person's place is snapped, no reporter data; licence in headers and body."""
    speeding = _world(harness, routed)
    answer = harness.http.get(
        "/api/v1/open-data/threats.geojson", params={"since": "2026-11-01", "until": "2026-12-01"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/geo+json")
    assert answer.headers["x-kmzb-licence"] == "CC-BY-4.0" and 'rel="describedby"' in answer.headers["link"]
    body = answer.json()
    assert body["metadata"]["licence"]["id"] == "CC-BY-4.0"
    by_category = {f["properties"]["category"]: f for f in body["features"]}
    assert set(by_category) == {"PRZEKRACZANIE_PREDKOSCI", "OSOBA_BEZDOMNA"}
    homeless = by_category["OSOBA_BEZDOMNA"]
    centre = h3.cell_to_latlng(h3.latlng_to_cell(50.07, 19.95, 8))
    assert homeless["geometry"]["coordinates"] == [round(centre[1], 6), round(centre[0], 6)]
    assert homeless["properties"]["location_snapped"] is True
    text = answer.text
    for secret in (speeding.report.device_key_hash, str(speeding.report.report_id), "Jan Kowalski"):
        assert secret not in text
    assert len(body["features"]) == 3  # Kraków's speeding and homeless person, Gdańsk's speeding


def test_the_csv_parses_and_the_filters_narrow_it(harness, routed):
    """bbox, unit, category and time each narrow the rows; the columns are the public ones only."""
    _world(harness, routed)
    get = lambda **p: list(  # noqa: E731
        csv.DictReader(io.StringIO(harness.http.get("/api/v1/open-data/threats.csv", params=p).text))
    )
    everything = get(until="2026-12-01", since="2026-11-01")
    assert len(everything) == 3 and tuple(everything[0]) == THREAT_COLUMNS
    assert [r["category"] for r in get(until="2026-12-01", since="2026-11-01", bbox="19.90,50.05,19.94,50.065")] == [
        "PRZEKRACZANIE_PREDKOSCI"
    ]
    assert {r["lat"][:2] for r in get(until="2026-12-01", since="2026-11-01", unit_id="KWP-22")} == {"54"}
    assert [r["category"] for r in get(until="2026-12-01", since="2026-11-01", category="OSOBA_BEZDOMNA")] == [
        "OSOBA_BEZDOMNA"
    ]
    assert get(since="2026-01-01", until="2026-02-01") == []


def test_bad_filters_are_refused_with_a_reason(harness):
    """A malformed bbox, a period the wrong way round or too long, an unknown category: 4xx with a reason."""
    for params in (
        {"bbox": "1,2,3"},
        {"since": "2026-11-02", "until": "2026-11-01"},
        {"since": "2024-01-01", "until": "2026-01-01"},
        {"since": "yesterday"},
        {"category": "NOT_A_CATEGORY"},
    ):
        answer = harness.http.get("/api/v1/open-data/threats.csv", params=params)
        assert 400 <= answer.status_code < 500 and answer.json()["error"]["message"], params
    assert harness.http.get("/api/v1/open-data/threats.xml").status_code == 422


def test_the_readme_states_the_licence_and_the_columns(harness):
    """The sidecar README names CC BY 4.0 and the export's columns."""
    body = harness.http.get("/api/v1/open-data/README").json()
    assert body["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["datasets"]["threats"]["columns"] == list(THREAT_COLUMNS)


def test_the_writers_read_their_input_lazily_chunk_by_chunk():
    """The first chunk is written before the input is read to its end: nothing is built in memory first."""
    read = []

    def rows():
        for i in range(100_000):
            read.append(i)
            yield {"threat_id": f"t{i}", "category": "X" * 20, "lat": 50.0, "lon": 19.0}

    chunks = csv_chunks(rows(), columns=THREAT_COLUMNS)
    first = next(chunks)
    assert first.startswith("threat_id,") and len(read) < 10_000
    rest = "".join(chunks)
    assert len(read) == 100_000 and len(list(csv.reader(io.StringIO(first + rest)))) == 100_001

    read.clear()

    def features():
        for i in range(50_000):
            read.append(i)
            yield {"type": "Feature", "properties": {"n": i}, "geometry": None}

    pieces = geojson_chunks(features(), metadata={"m": 1}, trailer=iter([("suppressed_cells", 7)]))
    head = next(pieces)
    assert head.startswith('{"type":"FeatureCollection","metadata":{"m":1}') and len(read) < 50_000
    body = json.loads(head + "".join(pieces))
    assert len(body["features"]) == 50_000 and body["suppressed_cells"] == 7
