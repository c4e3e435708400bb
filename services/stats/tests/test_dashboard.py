"""Dashboard views over the read model under a controllable clock: windows, Gi*, k-anonymity, patrols."""

from datetime import UTC, datetime, timedelta

import h3
import mongomock
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.auth import AuthSettings, TokenIssuer, TokenVerifier
from kmzb_common.http import install_common_routes
from kmzb_contracts import TimeBand
from kmzb_stats.adapters.hotspot_store import HotspotStore
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.bootstrap import build_dashboard
from kmzb_stats.domain.counts import Bucket, Layer, add_to_bucket
from kmzb_stats.domain.gi_star import StudyArea, gi_star
from kmzb_stats.domain.patrols import Elimination, Sighting
from kmzb_stats.domain.windows import Window, hour_of
from kmzb_stats.entrypoints.api import build_router
from kmzb_stats.settings import StatsSettings
from kmzb_stats.workflow.dashboard import Filter

CENTRE = h3.latlng_to_cell(50.0614, 19.9366, 8)
AREA = StudyArea.from_cells(h3.grid_disk(CENTRE, 8))
CHAIN = ["KGP", "KWP-12", "KMP-1261"]
CATEGORY = "SPOZYWANIE_ALKOHOLU"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["store", "view"])
def world(request):
    """Each test twice: the windows summed by the store, then by its loaded in-memory view."""
    db = mongomock.MongoClient(tz_aware=True)["kmzb"]
    store = StatsStore(db)
    if request.param == "view":
        store.load_view()
    clock = Clock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    settings = StatsSettings()
    dashboard = build_dashboard(store, settings, clock=clock, study_area=lambda: AREA)
    return store, clock, dashboard, db


def _put(store, cell, at, n=1, *, layer=Layer.REPORTS, unit="KMP-1261", category=CATEGORY):
    buckets: dict[str, float] = {}
    for _ in range(n):
        buckets = add_to_bucket(buckets, Bucket(layer, category, unit, hour_of(at)))
    # Absolute values per bucket: merge with what the cell already has at that hour.
    for key, value in buckets.items():
        existing = store.window_counts(layer=layer, start=hour_of(at), end=hour_of(at) + 1, category=category)
        buckets[key] = value + existing.get(cell, 0.0)
    store.put_buckets(cell, buckets, {unit: CHAIN})


def test_counts_roll_out_of_the_seven_day_window_as_the_clock_moves_but_stay_in_28_days(world):
    store, clock, dashboard, _ = world
    _put(store, CENTRE, clock.now - timedelta(days=2), n=4)
    week, month = Filter(window=Window.WEEK), Filter(window=Window.FOUR_WEEKS)
    assert dashboard.counts(week) == {CENTRE: 4} and dashboard.counts(month) == {CENTRE: 4}
    clock.now += timedelta(days=6)
    assert dashboard.counts(week) == {}
    assert dashboard.counts(month) == {CENTRE: 4}
    clock.now += timedelta(days=22)
    assert dashboard.counts(month) == {}


def test_the_hourly_window_tumbles_on_the_hour(world):
    store, clock, dashboard, _ = world
    _put(store, CENTRE, clock.now.replace(minute=10), n=3)
    clock.now = clock.now.replace(minute=59)
    assert dashboard.counts(Filter(window=Window.HOUR)) == {CENTRE: 3}
    clock.now += timedelta(minutes=1)
    assert dashboard.counts(Filter(window=Window.HOUR)) == {}


def test_layers_are_kept_apart_and_units_include_their_subunits(world):
    store, clock, dashboard, _ = world
    _put(store, CENTRE, clock.now, n=3)
    _put(store, CENTRE, clock.now, n=5, layer=Layer.POLICE_CRIMES, unit="KMP-1261", category="kradziez")
    assert dashboard.counts(Filter(Layer.REPORTS)) == {CENTRE: 3}
    assert dashboard.counts(Filter(Layer.POLICE_CRIMES)) == {CENTRE: 5}
    assert dashboard.counts(Filter(unit_id="KWP-12")) == {CENTRE: 3}
    assert dashboard.counts(Filter(unit_id="KWP-22")) == {}


def test_public_hexagons_carry_esda_equal_z_scores_and_never_a_cell_below_k(world):
    store, clock, dashboard, _ = world
    ring = h3.grid_ring(CENTRE, 1)
    _put(store, CENTRE, clock.now, n=6)
    for cell in ring[:3]:
        _put(store, cell, clock.now, n=3)
    lonely = h3.grid_ring(CENTRE, 6)[0]
    _put(store, lonely, clock.now, n=1)
    body = dashboard.hexagons(Filter())
    props = {f["id"]: f["properties"] for f in body["features"]}
    assert set(props) == {CENTRE, *ring[:3]}
    assert all(p["count"] >= 3 for p in props.values())
    assert body["metadata"]["hidden_count"] == 1
    y, _ = AREA.vector(dashboard.counts(Filter()))
    z = gi_star(y, AREA.weights).z
    assert props[CENTRE]["z"] == pytest.approx(z[AREA.index_of([CENTRE])[0]], abs=1e-6)
    top = dashboard.top_hotspots(Filter(), n=10)["features"]
    assert {f["id"] for f in top} == set(props) and [f["properties"]["rank"] for f in top] == [1, 2, 3, 4]
    assert np.isclose(top[0]["properties"]["z"], z.max(), atol=1e-6)
    assert top[0]["properties"]["z"] >= top[-1]["properties"]["z"]


def test_coarser_resolutions_roll_up_before_k_is_applied(world):
    store, clock, dashboard, _ = world
    parent = h3.cell_to_parent(CENTRE, 6)
    # One report in each of three different resolution-7 children: no sibling group reaches k below 6.
    for child in sorted(h3.cell_to_children(parent, 7))[:3]:
        _put(store, h3.cell_to_center_child(child, 8), clock.now, n=1)
    [merged] = dashboard.hexagons(Filter())["features"]
    assert merged["id"] == parent
    assert merged["properties"] == {"cell": parent, "count": 3, "merged": True, "significance": "coarsened"}
    features = dashboard.hexagons(Filter(), resolution=6)["features"]
    assert [f["id"] for f in features] == [parent]
    assert features[0]["properties"] == {"cell": parent, "count": 3, "merged": False}
    assert [f["id"] for f in dashboard.hexagons(Filter(), resolution=7)["features"]] == [parent]


def test_time_series_withholds_points_below_k(world):
    store, clock, dashboard, _ = world
    _put(store, CENTRE, clock.now - timedelta(days=1), n=4)
    _put(store, CENTRE, clock.now - timedelta(days=3), n=1)
    points = dashboard.time_series(Filter(window=Window.WEEK), step_hours=24)["points"]
    assert len(points) == 7
    assert [p["count"] for p in points] == [0, 0, 0, None, 0, 4, 0]


def test_patrol_recommendations_show_the_recurring_place_and_its_time_band(world):
    store, clock, dashboard, _ = world
    dedup = h3.cell_to_center_child(CENTRE, 9)
    store.put_elimination(Elimination("t1", CATEGORY, dedup, "KMP-1261", clock.now - timedelta(days=10)))
    for i in range(3):
        at = clock.now - timedelta(days=2, hours=i)
        store.put_sighting(Sighting(f"r{i}", CATEGORY, CENTRE, dedup, "KMP-1261", at, (TimeBand.NOC,)), CHAIN)
        _put(store, CENTRE, at)
    [flag, *_] = dashboard.recurrences("KMP-1261", category=None)
    assert flag.elimination.task_id == "t1"
    assert dashboard.recurrences("KMP-2261", category=None) == []
    [rec] = dashboard.patrol_recommendations("KMP-1261", category=CATEGORY, limit=5)
    assert rec.cell == CENTRE and rec.time_bands == (TimeBand.NOC,)
    assert {r.code for r in rec.reasons} >= {"recurring", "gi_star_hotspot"}


def test_a_lone_report_is_no_hot_spot_for_the_patrols_as_it_is_none_on_the_dashboard(world):
    """In a nearly empty territory one report is "significant"; patrols claim a hot spot only from k reports."""
    store, clock, _, _ = world
    wide = StudyArea.from_cells(h3.grid_disk(CENTRE, 30))  # 2,791 cells, nearly all empty
    dashboard = build_dashboard(store, StatsSettings(), clock=clock, study_area=lambda: wide)
    lone, busy = CENTRE, h3.grid_ring(CENTRE, 20)[0]
    _put(store, lone, clock.now - timedelta(days=3))
    _put(store, busy, clock.now - timedelta(days=3), n=dashboard.k)
    a = dashboard.analysis(Filter(window=Window.FOUR_WEEKS, unit_id="KMP-1261"))
    assert a.cells[lone].level is not None  # Gi* alone calls the lone report significant
    recs = {r.cell: r for r in dashboard.patrol_recommendations("KMP-1261", category=None, limit=10)}
    assert "gi_star_hotspot" in {x.code for x in recs[busy].reasons}
    assert lone not in recs or "gi_star_hotspot" not in {x.code for x in recs[lone].reasons}
    top = dashboard.top_hotspots(Filter(window=Window.FOUR_WEEKS, unit_id="KMP-1261"), n=10)
    assert [f["id"] for f in top["features"]] == [busy]


AUTH = AuthSettings(hs256_secret="stats-tests-secret-" + "x" * 20, dev_login=True)


def _token(username: str) -> dict[str, str]:
    return {"authorization": f"Bearer {TokenIssuer(AUTH).login(username, 'demo')}"}


def _client(world) -> TestClient:
    _, _, dashboard, db = world
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_router(HotspotStore(db), dashboard, verifier=TokenVerifier(AUTH)))
    return TestClient(app)


def test_officers_views_need_a_token_covering_the_unit(world):
    store, clock, _, _ = world
    _put(store, CENTRE, clock.now, n=3)
    client = _client(world)
    recs = "/api/v1/units/KMP-1261/patrol-recommendations"
    missing = client.get(recs)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_token"
    # Another city's officer, and an officer of the unit asking for its parent: 403.
    assert client.get(recs, headers=_token("dzielnicowy.gdansk")).status_code == 403
    assert client.get("/api/v1/units/KWP-12/recurrences", headers=_token("dzielnicowy.krakow")).status_code == 403
    # The unit's officer, the voivodeship's coordinator and the national analyst: 200.
    for who in ("dzielnicowy.krakow", "koordynator.kwp12", "analityk.kgp"):
        assert client.get(recs, headers=_token(who)).status_code == 200, who
    assert client.get("/api/v1/units/KWP-12/emerging-hotspots", headers=_token("analityk.kgp")).status_code == 200
    # The public views need no token.
    assert client.get("/api/v1/hexagons", params={"window": "7d"}).status_code == 200
    assert client.get("/api/v1/hotspots").status_code == 200


def test_api_serves_geojson_and_refuses_bad_filters_with_polish_then_english_messages(world):
    store, clock, _, _ = world
    _put(store, CENTRE, clock.now, n=3)
    client = _client(world)
    resp = client.get("/api/v1/hexagons", params={"window": "7d", "category": CATEGORY, "unit_id": "KWP-12"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/geo+json")
    assert [f["id"] for f in resp.json()["features"]] == [CENTRE]
    bad = client.get("/api/v1/hexagons", params={"category": "NIE_MA_TAKIEJ"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_category"
    assert bad.json()["error"]["message"] == "Nieznana kategoria zagrożenia."
    english = client.get("/api/v1/hexagons", params={"window": "3d"}, headers={"accept-language": "en"})
    assert english.status_code == 422 and english.json()["error"]["message"].startswith("Invalid")
    step = client.get("/api/v1/timeseries", params={"window": "1h", "step": "day"})
    assert step.status_code == 400 and step.json()["error"]["code"] == "invalid_step"
    assert client.get("/api/v1/units/kmp 1/recurrences", headers=_token("admin")).status_code in (404, 422)
    recs = client.get("/api/v1/units/KMP-1261/patrol-recommendations", headers=_token("dzielnicowy.krakow"))
    assert recs.status_code == 200 and recs.json()["recommendations"][0]["cell"] == CENTRE


def test_a_units_chain_comes_from_its_own_counts_or_those_of_a_unit_below_the_longest_known(world):
    store, clock, dashboard, _ = world
    # An imported statistic knows only its unit; a routed report taught the whole chain.
    store.put_buckets(CENTRE, {"police_crimes|kradziez|KMP-1261|1": 1.0}, {"KMP-1261": ["KMP-1261"]})
    assert dashboard.chain_of("KMP-1261") == ["KMP-1261"]
    _put(store, CENTRE, clock.now)
    assert dashboard.chain_of("KMP-1261") == CHAIN
    assert dashboard.chain_of("KWP-12") == ["KGP", "KWP-12"]
    assert dashboard.chain_of("KPP-0000") == ["KPP-0000"]
