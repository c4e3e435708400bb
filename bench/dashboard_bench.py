"""The dashboard's API calls over 100,000 reports of the last 28 days, beside a bare count_documents.

Run: .venv/bin/python bench/dashboard_bench.py [--reports 100000] [--runs 5]

Seeding: synthetic residents (towns by population) routed by the geo-router's packaged jurisdiction,
written into the stats read models with the store calls the stream agent makes after each batch
(``StatsStore.put_many`` for the hourly buckets, ``HotspotStore.put`` for the all-time totals), on
mongomock as ``make run`` has it. The stream path itself (Kafka, faust tables) is not used: at the
stream's measured rate (bench/load.py) 100,000 reports take many minutes on this machine, and it
adds nothing to what the API reads. The stats API runs in-process (its FastAPI router, TestClient);
place names and territories come from the geo-router's own API in-process through the same HTTP
adapter stats uses. What the service does at start-up is done first and timed apart: the national
study area, the in-memory counts view read from the store (``StatsStore.load_view``) and the place
names of the counted cells. Each call is then timed cold (first) and warm (median of ``--runs``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import h3
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_common.mongo import get_database
from kmzb_common.synthetic import SyntheticResidents
from kmzb_contracts.cells import HOTSPOT_RESOLUTION
from kmzb_geo_router.adapters.places_file import load_gazetteer
from kmzb_geo_router.bootstrap import load_holder
from kmzb_geo_router.entrypoints.geodata_api import build_geodata_router
from kmzb_geo_router.settings import GeoRouterSettings
from kmzb_stats.adapters.geodata import HttpGeodata
from kmzb_stats.adapters.hotspot_store import HotspotStore
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.bootstrap import build_dashboard
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.gi_star import gi_star
from kmzb_stats.domain.windows import Window, hour_of, window_hours
from kmzb_stats.entrypoints.api import build_router
from kmzb_stats.settings import StatsSettings
from kmzb_stats.workflow.dashboard import Filter

# The calls /panel makes on first paint (dashboard.js: loadHotspots, loadCategories, loadTrends, loadPowiats).
PANEL_CALLS = [
    "/api/v1/hexagons?window=7d",
    "/api/v1/hotspots/top?window=7d&n=10",
    "/api/v1/hotspots/top?window=7d&n=5&kind=cold",
    "/api/v1/categories/counts?window=28d",
    "/api/v1/timeseries?window=28d&step=day",
    "/api/v1/powiats?window=28d",
]


# Not on first paint: the longer window, a unit's view, and the all-time hexagons of the public API.
OTHER_CALLS = [
    "/api/v1/hexagons?window=28d",
    "/api/v1/hexagons?window=7d&unit_id=KWP-12",
    "/api/v1/hotspots/top?window=28d&n=10&unit_id=KMP-1261",
    "/api/v1/hotspots",
]


def _geo_client() -> tuple[TestClient, object]:
    settings = GeoRouterSettings()
    holder = load_holder(settings)
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_geodata_router(holder, load_gazetteer()))
    return TestClient(app, base_url="http://geo-router"), holder


def _seed(n: int, *, now: datetime, holder: object, stats: StatsStore, hotspots: HotspotStore) -> float:
    residents = SyntheticResidents(seed=15)
    jurisdiction = holder.current()  # type: ignore[attr-defined]
    buckets: dict[str, dict[str, float]] = defaultdict(dict)
    chains: dict[str, dict[str, list[str]]] = defaultdict(dict)
    totals: dict[tuple[str, str | None], dict[str, int]] = defaultdict(dict)
    span_s = 28 * 24 * 3600
    seeded = 0
    for i in range(n):
        lat, lon = residents.place()
        decision = jurisdiction.route(lat=lat, lon=lon)
        unit = decision.unit_id
        if unit is None:
            continue
        cell = h3.latlng_to_cell(lat, lon, HOTSPOT_RESOLUTION)
        category = residents.category()
        at = now - timedelta(seconds=(i * 7919) % span_s)
        key = bucket_key(Bucket(Layer.REPORTS, category, unit, hour_of(at)))
        buckets[cell][key] = buckets[cell].get(key, 0.0) + 1
        chains[cell][unit] = [u.unit_id for u in decision.chain]
        counts = totals[(cell, unit)]
        counts[category] = counts.get(category, 0) + 1
        seeded += 1
    started = time.perf_counter()
    stats.put_many((cell, b, chains[cell]) for cell, b in buckets.items())
    hotspots.put((cell, unit, counts) for (cell, unit), counts in totals.items())
    print(f"seeded {seeded:,} reports into {len(buckets):,} cells ({sum(len(b) for b in buckets.values()):,} buckets)")
    return time.perf_counter() - started


def _line(what: str, cold: float, warm: float) -> None:
    print(f"{what:<52} cold {cold * 1000:8.1f} ms   warm {warm * 1000:8.1f} ms")


def _time(fn, runs: int) -> tuple[float, float]:
    started = time.perf_counter()
    fn()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    now = datetime.now(UTC)
    settings = StatsSettings()
    db = get_database(settings)  # the one client factory: mongomock with make run's speed-ups
    stats, hotspots = StatsStore(db), HotspotStore(db)
    geo, holder = _geo_client()
    write_s = _seed(args.reports, now=now, holder=holder, stats=stats, hotspots=hotspots)
    print(f"read-model writes: {write_s:.1f} s")
    # What make run's start-up does in the background (bootstrap.follow_counts) before the view answers.
    reader = StatsStore(db)
    started = time.perf_counter()
    reader.load_view()
    print(f"counts view loaded from the store in {time.perf_counter() - started:.1f} s ({len(reader.view):,} buckets)")
    stats = reader

    geodata = HttpGeodata("http://geo-router")
    geodata._client = geo  # the same adapter, over the geo-router's app in-process
    dashboard = build_dashboard(stats, settings, geodata=geodata)
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_router(hotspots, dashboard, verifier=None))
    client = TestClient(app)
    # make run builds the national study area in a thread at start-up, before the first view.
    started = time.perf_counter()
    dashboard.study_area()
    print(f"national study area built in {time.perf_counter() - started:.1f} s (at start-up, kept)")
    started = time.perf_counter()
    named = dashboard.places(stats.view.cells())  # bootstrap.follow_counts' warm-up after the view's load
    print(f"place names of {len(named):,} counted cells fetched in {time.perf_counter() - started:.1f} s (at start-up)")

    start, end = window_hours(Window.FOUR_WEEKS, now)
    query = {"layer": "reports", "hour": {"$gte": start, "$lt": end}}
    cold, warm = _time(lambda: db["hourly_counts"].count_documents(query), args.runs)
    _line("baseline count_documents (28 d window)", cold, warm)
    total_cold = total_warm = 0.0

    def call(path: str) -> None:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text[:200])

    for path in PANEL_CALLS:
        cold, warm = _time(lambda path=path: call(path), args.runs)
        total_cold += cold
        total_warm += warm
        _line(path, cold, warm)
    _line("sum of the panel calls (sequential)", total_cold, total_warm)

    started = time.perf_counter()
    area = dashboard.unit_study_area("KWP-12")
    build_s = time.perf_counter() - started
    assert area is not None
    f = Filter(Layer.REPORTS, None, Window.WEEK, "KWP-12")
    cold, warm = _time(lambda: dashboard.analysis(f), args.runs)
    print(f"KWP-12 territory: {area.size:,} cells at r8; study area built in {build_s * 1000:.0f} ms (kept)")
    _line("per-unit Gi* analysis, KWP-12 (read + Gi* + BH)", cold, warm)
    y, _ = area.vector(dashboard.counts(f))
    cold, warm = _time(lambda: gi_star(y, area.weights), args.runs)
    _line("per-unit Gi* alone, KWP-12", cold, warm)
    print("not on first paint:")
    for path in OTHER_CALLS:
        _line(path, *_time(lambda path=path: call(path), args.runs))


if __name__ == "__main__":
    main()
