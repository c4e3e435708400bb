"""Per-unit Gi* over the unit's own territory, FDR classes, cold spots and place names of hotspots."""

from datetime import UTC, datetime

import h3
import mongomock
import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import W

from kmzb_stats.adapters.geodata import CellPlace, StaticGeodata
from kmzb_stats.adapters.stats_store import StatsStore
from kmzb_stats.bootstrap import build_dashboard
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.gi_star import StudyArea
from kmzb_stats.domain.study_area import territory_cell_ids
from kmzb_stats.domain.windows import Window, hour_of
from kmzb_stats.settings import StatsSettings
from kmzb_stats.workflow.dashboard import Filter

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
CENTRE = h3.latlng_to_cell(50.0614, 19.9366, 8)
# A compacted territory like the geo-router's: res-7 cells around Kraków, one res-6 parent for good measure.
KRAKOW_R7 = h3.cell_to_parent(CENTRE, 7)
TERRITORY = sorted(set(h3.grid_disk(KRAKOW_R7, 3)))
NATIONAL = StudyArea.from_cells(h3.grid_disk(CENTRE, 40))
CHAIN = ["KGP", "KWP-12", "KMP-1261"]
KRAKOW = CellPlace("Kraków", "Kraków", "Kraków", "1261", "Kraków", "małopolskie", 816_614)


def _dashboard(counts: dict[str, int]):
    store = StatsStore(mongomock.MongoClient(tz_aware=True)["kmzb"])
    hour = hour_of(NOW)
    for cell, n in counts.items():
        store.put_buckets(
            cell, {bucket_key(Bucket(Layer.REPORTS, "X", "KMP-1261", hour)): float(n)}, {"KMP-1261": CHAIN}
        )
    geodata = StaticGeodata(places={CENTRE: KRAKOW}, territories={"KMP-1261": TERRITORY})
    return build_dashboard(store, StatsSettings(), clock=lambda: NOW, study_area=lambda: NATIONAL, geodata=geodata)


def _planted(seed: int = 3) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    cells = sorted(territory_cell_ids(TERRITORY, 8).tolist())
    counts = {h3.int_to_str(c): int(v) for c, v in zip(cells, rng.poisson(0.4, len(cells)), strict=True) if v}
    for c in h3.grid_disk(CENTRE, 1):
        counts[c] = counts.get(c, 0) + 30
    return counts


def test_per_unit_gi_star_equals_esda_over_the_units_territory() -> None:
    """With a unit selected, z and p of every cell equal esda's G_Local over the unit's territory within 1e-9."""
    counts = _planted()
    dashboard = _dashboard(counts)
    analysis = dashboard.analysis(Filter(unit_id="KMP-1261"))
    assert analysis.study_area == "unit"
    area = StudyArea.from_ids(territory_cell_ids(TERRITORY, 8))
    assert analysis.study_area_cells == area.size
    cells = list(area.cells)
    inside = set(cells)
    w = W(
        {c: sorted(n for n in h3.grid_disk(c, 1) if n != c and n in inside) for c in cells},
        id_order=cells,
        silence_warnings=True,
    )
    y = np.array([counts.get(c, 0) for c in cells], dtype=float)
    g = G_Local(y, w, transform="B", star=True, permutations=0)
    ours = [
        (analysis.cells[c].z, analysis.cells[c].p, g.Zs[i], g.p_norm[i])
        for i, c in enumerate(cells)
        if c in analysis.cells
    ]
    assert len(ours) >= int((y > 0).sum())
    np.testing.assert_allclose([o[0] for o in ours], [o[2] for o in ours], rtol=0, atol=1e-9)
    np.testing.assert_allclose([o[1] for o in ours], [o[3] for o in ours], rtol=0, atol=1e-9)


def test_a_planted_cluster_is_the_top_hotspot_named_krakow_at_99_percent() -> None:
    """The cluster of 30 reports a cell comes first, with its place name, class hot_99, count and z of one pass."""
    dashboard = _dashboard(_planted())
    body = dashboard.top_hotspots(Filter(unit_id="KMP-1261"), n=5)
    top = body["features"][0]["properties"]
    assert top["cell"] in h3.grid_disk(CENTRE, 1)
    first_named = next(f["properties"] for f in body["features"] if f["id"] == CENTRE)
    assert first_named["place"]["label_pl"] == "Kraków" and first_named["significance"] == "hot_99"
    assert first_named["count"] >= 30 and first_named["q"] <= 0.01
    assert body["metadata"]["study_area"] == "unit"
    zs = [f["properties"]["z"] for f in body["features"]]
    assert zs == sorted(zs, reverse=True)


def test_the_national_view_keeps_the_whole_country_as_its_study_area() -> None:
    """Without a unit, Gi* runs over the national area, so a unit's own area gives a different z."""
    dashboard = _dashboard(_planted())
    national = dashboard.analysis(Filter())
    unit = dashboard.analysis(Filter(unit_id="KMP-1261"))
    assert national.study_area == "national" and national.study_area_cells == NATIONAL.size
    assert national.cells[CENTRE].z != pytest.approx(unit.cells[CENTRE].z, abs=1e-3)


def test_dense_counts_give_cold_spots_where_a_district_is_quiet() -> None:
    """Where every cell has reports, a quiet patch is a significant cold spot listed by kind=cold."""
    cells = [h3.int_to_str(c) for c in territory_cell_ids(TERRITORY, 8).tolist()]
    counts = dict.fromkeys(cells, 8)
    far = h3.grid_ring(CENTRE, 9)[0]
    for c in h3.grid_disk(far, 2):
        if c in counts:
            counts[c] = 0
    for c in h3.grid_disk(CENTRE, 1):
        counts[c] = 20
    body = _dashboard({c: n for c, n in counts.items() if n}).top_hotspots(Filter(unit_id="KMP-1261"), n=5, kind="cold")
    assert body["features"], "a quiet patch among busy cells is a cold spot"
    assert all(f["properties"]["significance"].startswith("cold") for f in body["features"])
    assert body["features"][0]["id"] in h3.grid_disk(far, 2)


def test_coarsened_cells_have_a_class_of_their_own_and_no_z() -> None:
    """A parent standing for small cells is 'coarsened' and carries no z, so it is never drawn as a hot spot."""
    lonely = [c for c in h3.grid_ring(CENTRE, 6)][:2]
    dashboard = _dashboard({lonely[0]: 1, lonely[1]: 2, CENTRE: 9})
    merged = [f["properties"] for f in dashboard.hexagons(Filter())["features"] if f["properties"]["merged"]]
    assert merged and all(p["significance"] == "coarsened" and "z" not in p for p in merged)


def test_powiat_rates_are_per_10000_residents_only_where_the_population_is_known():
    """Kraków: 40 reports in two cells over 816,614 residents; Wieliczka has no population; below k is withheld."""
    store = StatsStore(mongomock.MongoClient(tz_aware=True)["kmzb"])
    hour = hour_of(NOW)
    other = h3.grid_ring(CENTRE, 2)[0]
    wieliczka = h3.latlng_to_cell(49.987, 20.064, 8)
    tarnow = h3.latlng_to_cell(50.0125, 20.988, 8)
    for cell, n in ((CENTRE, 30), (other, 10), (wieliczka, 5), (tarnow, 2)):
        store.put_buckets(
            cell, {bucket_key(Bucket(Layer.REPORTS, "X", "KMP-1261", hour)): float(n)}, {"KMP-1261": CHAIN}
        )
    places = {
        CENTRE: KRAKOW,
        other: KRAKOW,
        wieliczka: CellPlace(
            "Wieliczka, powiat wielicki", "", "Wieliczka", "1219", "Powiat wielicki", "małopolskie", None
        ),
        tarnow: CellPlace("Tarnów", "Tarnów", "Tarnów", "1263", "Tarnów", "małopolskie", 117_799),
    }
    dashboard = build_dashboard(
        store, StatsSettings(), clock=lambda: NOW, study_area=lambda: NATIONAL, geodata=StaticGeodata(places=places)
    )
    body = dashboard.powiat_rates(Filter(Layer.REPORTS, None, Window.FOUR_WEEKS, None))
    rows = {r["powiat_teryt"]: r for r in body["powiats"]}
    assert set(rows) == {"1261", "1219"}
    assert rows["1261"]["count"] == 40 and rows["1261"]["per_10k"] == round(40 / 816_614 * 10_000, 2)
    assert rows["1219"]["population"] is None and rows["1219"]["per_10k"] is None
    assert "GeoNames" in body["population_source"]["name"]
