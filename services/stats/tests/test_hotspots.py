"""Stats: counts and their GeoJSON hexagons."""

import h3
import mongomock

from kmzb_stats.adapters.hotspot_store import HotspotStore
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.hotspots import feature_collection, hexagon_feature


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
    store.put([(a, "KMP-1261", {"ZEBRACTWO": 1}), (b, "KMP-1261", {"UTONIECIA": 4})])
    store.put([(a, "KMP-1261", {"ZEBRACTWO": 2})])  # a replay writes the same absolute value again
    assert store.cells(category=None, min_total=1) == sorted([(a, {"ZEBRACTWO": 2}), (b, {"UTONIECIA": 4})])
    assert store.cells(category="UTONIECIA", min_total=1) == [(b, {"UTONIECIA": 4})]
    assert store.cells(category=None, min_total=3) == [(b, {"UTONIECIA": 4})]
    assert len(feature_collection(store.cells(category=None, min_total=1))["features"]) == 2


def test_a_cell_on_a_unit_border_counts_the_reports_of_both_units():
    """Each unit's part of a cell is written by its own stream partition; the cell shows their sum."""
    store = HotspotStore(mongomock.MongoClient()["kmzb"])
    cell = h3.latlng_to_cell(50.06, 19.93, 8)
    store.put([(cell, "KMP-1261", {"ZEBRACTWO": 2})])
    store.put([(cell, "KPP-1206", {"ZEBRACTWO": 3, "UTONIECIA": 1})])
    store.put([(cell, "KMP-1261", {"ZEBRACTWO": 2})])
    assert store.cells(category=None, min_total=1) == [(cell, {"UTONIECIA": 1, "ZEBRACTWO": 5})]


def test_a_late_older_count_never_lowers_a_stored_one():
    """Two agents (or threads) may write a cell's counts out of order: the stored value only grows."""
    db = mongomock.MongoClient(tz_aware=True)["kmzb"]
    hotspots = HotspotStore(db)
    hotspots.put([("881e2e6b15fffff", "KMP-1261", {"ZEBRACTWO": 5})])
    hotspots.put([("881e2e6b15fffff", "KMP-1261", {"ZEBRACTWO": 3})])
    assert hotspots.cells(category="ZEBRACTWO", min_total=1) == [("881e2e6b15fffff", {"ZEBRACTWO": 5})]
    stats = StatsStore(db)
    key = bucket_key(Bucket(Layer.POLICE_CRIMES, "kradziez", "KMP-1261", 500_000))
    stats.put_buckets("881e2e6b15fffff", {key: 4.0}, {"KMP-1261": ["KGP", "KMP-1261"]})
    stats.put_buckets("881e2e6b15fffff", {key: 3.0}, {"KMP-1261": ["KGP", "KMP-1261"]})
    counts = stats.window_counts(layer=Layer.POLICE_CRIMES, start=500_000, end=500_001)
    assert counts == {"881e2e6b15fffff": 4.0}
