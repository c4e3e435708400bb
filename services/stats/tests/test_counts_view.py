"""The in-memory counts view answers every window sum as the store does, and stays equal under writes."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import h3
import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_stats.adapters.counts_view import BucketRow, CountsView
from kmzb_stats.adapters.hotspot_store import HotspotStore
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.bootstrap import build_dashboard, follow_counts
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.gi_star import StudyArea
from kmzb_stats.entrypoints.api import build_router
from kmzb_stats.settings import StatsSettings

CELLS = [h3.latlng_to_cell(50.06 + i * 0.01, 19.93 + (i % 5) * 0.01, 8) for i in range(12)]
CHAINS = {
    "KMP-1261": ["KGP", "KWP-12", "KMP-1261"],
    "KPP-1206": ["KGP", "KWP-12", "KPP-1206"],
    "KMP-1465": ["KGP", "KWP-14", "KMP-1465"],
}
CATEGORIES = ["SPOZYWANIE_ALKOHOLU", "NIEPRAWIDLOWE_PARKOWANIE", "PRZEKRACZANIE_PREDKOSCI"]
LAYERS = [Layer.REPORTS, Layer.POLICE_CRIMES]
HOUR0 = 500_000


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _db():
    return mongomock.MongoClient(tz_aware=True)["kmzb"]


def _random_writes(store: StatsStore, rng: random.Random, n: int) -> None:
    """Cells' bucket maps as the agent writes them: absolute counts that only grow."""
    state: dict[str, dict[str, float]] = {}
    for _ in range(n):
        cell = rng.choice(CELLS)
        unit = rng.choice([*CHAINS, None])
        b = Bucket(rng.choice(LAYERS), rng.choice(CATEGORIES), unit, HOUR0 + rng.randrange(0, 24 * 30))
        buckets = state.setdefault(cell, {})
        key = bucket_key(b)
        buckets[key] = buckets.get(key, 0.0) + rng.randint(1, 3)
        store.put_buckets(cell, {key: buckets[key]}, CHAINS)


@contextmanager
def _by_store(store: StatsStore) -> Iterator[None]:
    """The same store's answers with its view set aside (the documents summed by the store)."""
    loaded, store.view.loaded = store.view.loaded, False
    try:
        yield
    finally:
        store.view.loaded = loaded


QUERIES = [
    {"layer": layer, "start": start, "end": start + span, "category": category, "unit_id": unit}
    for layer in LAYERS
    for start, span in [(HOUR0, 24 * 7), (HOUR0 + 24 * 10, 24 * 28), (HOUR0 - 24, 1), (HOUR0 + 5, 3)]
    for category in [None, CATEGORIES[0]]
    for unit in [None, "KGP", "KWP-12", "KPP-1206", "KMP-1465", "KWP-02"]
]


def test_every_window_sum_of_a_loaded_view_equals_the_stores_own():
    db = _db()
    _random_writes(StatsStore(db), random.Random(15), 600)
    store = StatsStore(db)
    store.load_view()
    assert len(store.view) == db["hourly_counts"].count_documents({})
    for q in QUERIES:
        view_cells = store.window_counts(**q)
        view_hours = store.hourly_series(**q)
        with _by_store(store):
            assert store.window_counts(**q) == view_cells, q
            assert store.hourly_series(**q) == view_hours, q
    # At least some of the compared sums are not empty, so the equality says something.
    assert sum(bool(store.window_counts(**q)) for q in QUERIES) > len(QUERIES) // 3


def test_category_totals_and_chains_of_the_view_equal_the_stores():
    db = _db()
    _random_writes(StatsStore(db), random.Random(7), 300)
    store = StatsStore(db)
    store.load_view()
    for unit in [None, "KWP-12", "KMP-1465"]:
        q = {"layer": Layer.REPORTS, "start": HOUR0, "end": HOUR0 + 24 * 30, "unit_id": unit}
        from_view = store.category_totals(**q)
        with _by_store(store):
            assert store.category_totals(**q) == from_view
        assert set(from_view) <= set(CATEGORIES) and from_view
    for unit in ["KWP-12", "KMP-1261", "KGP"]:
        from_view = store.chain_of(unit)
        with _by_store(store):
            assert store.chain_of(unit) == from_view
    assert store.chain_of("KMP-1261") == CHAINS["KMP-1261"]
    assert store.chain_of("KWP-99") is None


def test_a_late_smaller_count_never_lowers_the_view_as_it_never_lowers_the_store():
    store = StatsStore(_db())
    store.load_view()
    key = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[0], "KMP-1261", HOUR0))
    store.put_buckets(CELLS[0], {key: 5.0}, CHAINS)
    store.put_buckets(CELLS[0], {key: 2.0}, CHAINS)  # read before another agent counted more
    q = {"layer": Layer.REPORTS, "start": HOUR0, "end": HOUR0 + 1}
    assert store.window_counts(**q) == {CELLS[0]: 5.0}
    store.view.loaded = False
    assert store.window_counts(**q) == {CELLS[0]: 5.0}


def test_a_widened_chain_reaches_the_view_as_it_reaches_the_store():
    """Imported statistics may first know only their own unit; the bucket later learns the commands above."""
    store = StatsStore(_db())
    store.load_view()
    key = bucket_key(Bucket(Layer.POLICE_CRIMES, CATEGORIES[0], "KMP-1261", HOUR0))
    store.put_buckets(CELLS[0], {key: 1.0}, {"KMP-1261": ["KMP-1261"]})
    q = {"layer": Layer.POLICE_CRIMES, "start": HOUR0, "end": HOUR0 + 1, "unit_id": "KWP-12"}
    assert store.window_counts(**q) == {}
    store.put_buckets(CELLS[0], {key: 1.0}, CHAINS)
    assert store.window_counts(**q) == {CELLS[0]: 1.0}
    with _by_store(store):
        assert store.window_counts(**q) == {CELLS[0]: 1.0}
    assert store.chain_of("KMP-1261") == CHAINS["KMP-1261"]


def test_writes_during_the_first_load_and_the_load_commute():
    """The view may be fed a write before the load reads the same document: the larger count stays."""
    view = CountsView(capacity=2)
    later = BucketRow("a|k", CELLS[0], "reports", CATEGORIES[0], ("KGP",), HOUR0, 4.0)
    earlier = BucketRow("a|k", CELLS[0], "reports", CATEGORIES[0], ("KGP",), HOUR0, 3.0)
    other = BucketRow("b|k", CELLS[1], "reports", CATEGORIES[1], ("KGP",), HOUR0 + 1, 1.0)
    view.apply([later])
    view.apply([earlier, other, other])
    assert len(view) == 2
    assert view.window_counts(layer="reports", start=HOUR0, end=HOUR0 + 2) == {CELLS[0]: 4.0, CELLS[1]: 1.0}
    assert view.window_counts(layer="reports", start=HOUR0, end=HOUR0 + 2, unit_id="KGP") == {
        CELLS[0]: 4.0,
        CELLS[1]: 1.0,
    }
    assert view.window_counts(layer="police_crimes", start=HOUR0, end=HOUR0 + 2) == {}
    assert view.window_counts(layer="reports", start=HOUR0, end=HOUR0 + 2, category="NIEZNANA") == {}


def test_another_replicas_writes_reach_the_view_by_catching_up():
    db = _db()
    clock = Clock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    here, there = StatsStore(db, clock=clock), StatsStore(db, clock=clock)
    since = here.load_view()
    key = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[0], "KMP-1465", HOUR0))
    clock.now += timedelta(seconds=30)
    there.put_buckets(CELLS[3], {key: 2.0}, CHAINS)  # counted by the replica that owns the partition
    q = {"layer": Layer.REPORTS, "start": HOUR0, "end": HOUR0 + 1, "unit_id": "KWP-14"}
    assert here.window_counts(**q) == {}  # not yet seen here
    clock.now += timedelta(seconds=10)
    since = here.catch_up_view(since)
    assert here.window_counts(**q) == {CELLS[3]: 2.0}
    # A write stamped by a clock behind this one's is still read back (the overlap).
    clock.now -= timedelta(seconds=60)
    there.put_buckets(CELLS[3], {key: 6.0}, CHAINS)
    clock.now += timedelta(seconds=70)
    here.catch_up_view(since)
    assert here.window_counts(**q) == {CELLS[3]: 6.0}


def test_retention_drops_old_rows_and_later_writes_land_on_the_right_rows():
    store = StatsStore(_db())
    store.load_view()
    for h in range(10):
        key = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[h % 3], "KMP-1261", HOUR0 + h))
        store.put_buckets(CELLS[h], {key: float(h + 1)}, CHAINS)
    assert store.delete_before(HOUR0 + 6) == 6
    assert len(store.view) == 4
    q = {"layer": Layer.REPORTS, "start": HOUR0, "end": HOUR0 + 24}
    assert store.window_counts(**q) == {CELLS[h]: float(h + 1) for h in range(6, 10)}
    # The kept rows moved: a grown count of one of them must change that row and no other.
    key = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[8 % 3], "KMP-1261", HOUR0 + 8))
    store.put_buckets(CELLS[8], {key: 20.0}, CHAINS)
    from_view = store.window_counts(**q)
    store.view.loaded = False
    assert from_view == store.window_counts(**q) == {CELLS[6]: 7.0, CELLS[7]: 8.0, CELLS[8]: 20.0, CELLS[9]: 10.0}


def test_follow_counts_loads_the_view_then_reads_back_other_replicas():
    db = _db()
    key = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[0], "KMP-1261", HOUR0))
    StatsStore(db).put_buckets(CELLS[0], {key: 1.0}, CHAINS)
    here, stop, warmed = StatsStore(db), threading.Event(), []
    follower = threading.Thread(
        target=follow_counts,
        args=(here, 0.05),
        kwargs={"stop": stop, "on_loaded": lambda: warmed.append(here.view.cells())},
        daemon=True,
    )
    follower.start()
    q = {"layer": Layer.REPORTS, "start": HOUR0, "end": HOUR0 + 1}
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not here.view.loaded and datetime.now(UTC) < deadline:
            stop.wait(0.01)
        assert here.view.loaded and here.view.window_counts(**{**q, "layer": "reports"}) == {CELLS[0]: 1.0}
        while not warmed:
            assert datetime.now(UTC) < deadline, "the warm-up after the load never ran"
            stop.wait(0.01)
        assert warmed == [[CELLS[0]]]
        StatsStore(db).put_buckets(CELLS[0], {key: 9.0}, CHAINS)
        while here.view.window_counts(layer="reports", start=HOUR0, end=HOUR0 + 1) != {CELLS[0]: 9.0}:
            assert datetime.now(UTC) < deadline, "the other replica's write never reached the view"
            stop.wait(0.02)
    finally:
        stop.set()
        follower.join(5)
    assert not follower.is_alive()


@pytest.mark.parametrize("loaded", [False, True])
def test_category_counts_endpoint_withholds_categories_below_k(loaded):
    db = _db()
    store = StatsStore(db)
    if loaded:
        store.load_view()
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    hour = int(now.timestamp() // 3600) - 5
    for category, n in [(CATEGORIES[0], 7.0), (CATEGORIES[1], 2.0), (CATEGORIES[2], 3.0)]:
        store.put_buckets(CELLS[0], {bucket_key(Bucket(Layer.REPORTS, category, "KMP-1261", hour)): n}, CHAINS)
    old = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[1], "KMP-1261", hour - 24 * 40))
    store.put_buckets(CELLS[1], {old: 50.0}, CHAINS)  # outside the 28 days
    elsewhere = bucket_key(Bucket(Layer.REPORTS, CATEGORIES[1], "KMP-1465", hour))
    store.put_buckets(CELLS[2], {elsewhere: 4.0}, CHAINS)
    dashboard = build_dashboard(
        store, StatsSettings(), clock=lambda: now, study_area=lambda: StudyArea.from_cells(CELLS)
    )
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_router(HotspotStore(db), dashboard, verifier=None))
    client = TestClient(app)

    body = client.get("/api/v1/categories/counts", params={"window": "28d", "unit_id": "KWP-12"}).json()
    assert body["categories"] == [
        {"category": CATEGORIES[0], "count": 7.0},
        {"category": CATEGORIES[2], "count": 3.0},
    ]
    assert body["hidden_categories"] == 1 and body["k_anonymity"] == 3 and body["unit_id"] == "KWP-12"
    national = client.get("/api/v1/categories/counts", params={"window": "28d"}).json()
    assert {c["category"]: c["count"] for c in national["categories"]} == {
        CATEGORIES[0]: 7.0,
        CATEGORIES[1]: 6.0,
        CATEGORIES[2]: 3.0,
    }
    assert client.get("/api/v1/categories/counts", params={"window": "1y"}).status_code == 422
