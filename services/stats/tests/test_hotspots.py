"""Stats: counts and their GeoJSON hexagons."""

import h3
import mongomock

from kmzb_stats.adapters.hotspot_store import HotspotStore
from kmzb_stats.domain.hotspots import add_report, feature_collection, hexagon_feature


def test_add_report_counts_per_category_without_mutating_the_input():
    before = {"ZEBRACTWO": 1}
    after = add_report(add_report(before, "ZEBRACTWO"), "UTONIECIA")
    assert after == {"ZEBRACTWO": 2, "UTONIECIA": 1}
    assert before == {"ZEBRACTWO": 1}


def test_hexagon_is_a_closed_rfc7946_ring_in_lon_lat_order():
    cell = h3.latlng_to_cell(50.0614, 19.9366, 8)
    feature = hexagon_feature(cell, {"ZEBRACTWO": 2, "UTONIECIA": 1})
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    lon, lat = ring[0]
    assert 19.8 < lon < 20.1 and 50.0 < lat < 50.2
    assert feature["properties"]["total"] == 3 and feature["properties"]["resolution"] == 8


def test_store_keeps_absolute_counts_and_filters_by_category_and_minimum():
    store = HotspotStore(mongomock.MongoClient()["kmzb"])
    a = h3.latlng_to_cell(50.06, 19.93, 8)
    b = h3.latlng_to_cell(54.35, 18.65, 8)
    store.put([(a, {"ZEBRACTWO": 1}), (b, {"UTONIECIA": 4})])
    store.put([(a, {"ZEBRACTWO": 2})])  # a replay writes the same absolute value again
    assert store.cells(category=None, min_total=1) == sorted([(a, {"ZEBRACTWO": 2}), (b, {"UTONIECIA": 4})])
    assert store.cells(category="UTONIECIA", min_total=1) == [(b, {"UTONIECIA": 4})]
    assert store.cells(category=None, min_total=3) == [(b, {"UTONIECIA": 4})]
    assert len(feature_collection(store.cells(category=None, min_total=1))["features"]) == 2
