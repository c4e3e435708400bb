"""The statistics export: GeoJSON and CSV that parse, honour the filters, stream and hide small cells."""

import csv
import io
from datetime import UTC, datetime

import h3
import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.windows import hour_of
from kmzb_stats.entrypoints.open_data_api import _Suppressed, build_open_data_router, statistics_rows

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
KRAKOW = h3.latlng_to_cell(50.0614, 19.9366, 8)
WIELICZKA = h3.latlng_to_cell(49.987, 20.064, 8)
GDANSK = h3.latlng_to_cell(54.35, 18.65, 8)
CHAINS = {"KMP-1261": ["KGP", "KWP-12", "KMP-1261"], "KPP-1219": ["KGP", "KWP-12", "KPP-1219"]}


def _put(store, cell, *, n, at, unit="KMP-1261", category="SPOZYWANIE_ALKOHOLU"):
    key = bucket_key(Bucket(Layer.REPORTS, category, unit, hour_of(at)))
    store.put_buckets(cell, {key: float(n)}, {unit: CHAINS.get(unit, ["KGP", unit])})


@pytest.fixture
def store():
    s = StatsStore(mongomock.MongoClient(tz_aware=True)["kmzb"])
    _put(s, KRAKOW, n=5, at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    _put(s, KRAKOW, n=4, at=datetime(2026, 11, 21, 10, tzinfo=UTC), category="NIEPRAWIDLOWE_PARKOWANIE")
    _put(s, WIELICZKA, n=3, at=datetime(2026, 11, 22, 9, tzinfo=UTC), unit="KPP-1219")
    _put(s, GDANSK, n=2, at=datetime(2026, 11, 23, 9, tzinfo=UTC), unit="KMP-2261")
    _put(s, GDANSK, n=7, at=datetime(2026, 3, 1, 9, tzinfo=UTC), unit="KMP-2261")
    return s


@pytest.fixture
def client(store):
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_open_data_router(store, k_anonymity=3, clock=lambda: NOW))
    return TestClient(app)


def _csv(client, **params):
    answer = client.get("/api/v1/open-data/statistics.csv", params=params)
    assert answer.status_code == 200, answer.text
    return {r["cell"]: r for r in csv.DictReader(io.StringIO(answer.text))}


def test_cells_below_k_are_suppressed_and_the_geojson_says_how_many(client):
    """Gdańsk's 2 reports of the last 28 days are below k = 3: left out, and counted in suppressed_cells."""
    answer = client.get("/api/v1/open-data/statistics.geojson")
    assert answer.headers["content-type"].startswith("application/geo+json")
    assert answer.headers["x-kmzb-licence"] == "CC-BY-4.0" and "fewer than 3" in answer.headers["x-kmzb-k-anonymity"]
    body = answer.json()
    counts = {f["id"]: f["properties"]["count"] for f in body["features"]}
    assert counts == {KRAKOW: 9.0, WIELICZKA: 3.0}
    assert body["suppressed_cells"] == 1 and body["metadata"]["k_anonymity"] == 3
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_the_filters_of_category_unit_area_and_time_narrow_the_rows(client):
    """Category, unit, bbox and period each select their cells; March's Gdańsk count appears only for March."""
    assert set(_csv(client, category="NIEPRAWIDLOWE_PARKOWANIE")) == {KRAKOW}
    assert _csv(client, category="NIEPRAWIDLOWE_PARKOWANIE")[KRAKOW]["count"] == "4.0"
    assert set(_csv(client, unit_id="KPP-1219")) == {WIELICZKA}
    assert set(_csv(client, bbox="19.90,50.03,19.98,50.10")) == {KRAKOW}
    march = _csv(client, since="2026-03-01", until="2026-04-01")
    assert set(march) == {GDANSK} and march[GDANSK]["count"] == "7.0"
    assert list(next(iter(_csv(client).values()))) == [
        "cell", "lat", "lon", "layer", "category", "count", "period_start", "period_end",
    ]  # fmt: skip


def test_rows_are_read_from_the_cursor_as_the_stream_is_consumed(store):
    """The first row comes before the store's cursor is read to its end: the export is never a list first."""
    seen = []
    original = store.stream_window_counts

    def spy(**kw):
        for item in original(**kw):
            seen.append(item[0])
            yield item

    store.stream_window_counts = spy
    rows = statistics_rows(
        store,
        layer=Layer.REPORTS,
        category=None,
        unit_id=None,
        bbox=None,
        start=datetime(2026, 10, 28, tzinfo=UTC),
        end=NOW,
        k=3,
        suppressed=_Suppressed(),
    )
    first = next(rows)
    assert len(seen) < 3 and first["cell"] in seen
    assert len([first, *rows]) == 2 and len(seen) == 3


def test_bad_filters_are_refused_with_a_reason_and_the_readme_states_k_and_the_licence(client):
    """A bad bbox or period is a 4xx with a reason; the README says CC BY 4.0 and k = 3."""
    for params in ({"bbox": "a,b,c,d"}, {"since": "2026-12-01", "until": "2026-11-01"}, {"category": "NOPE"}):
        answer = client.get("/api/v1/open-data/statistics.csv", params=params)
        assert 400 <= answer.status_code < 500 and answer.json()["error"]["message"], params
    readme = client.get("/api/v1/open-data/README").json()
    assert readme["licence"]["id"] == "CC-BY-4.0" and readme["k_anonymity"]["k"] == 3
    assert "mniej niż 3" in readme["k_anonymity"]["rule_pl"]
