"""The dashboard's use cases: windows from the read model, Gi* over the study area, k-anonymity, patrols.

Gi* is computed at the hotspot resolution over the whole study area (the outline of Poland by
default, zero-count cells included) and cached per filter and window; a unit filter then selects
the unit's cells, so a unit's border cells are judged with their neighbours across the border.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .adapters.stats_store import StatsStore
from .domain.anonymity import k_anonymise
from .domain.counts import Layer, roll_up
from .domain.gi_star import StudyArea, gi_star
from .domain.hotspots import hexagon_geometry
from .domain.patrols import (
    Emerging,
    PatrolRecommendation,
    RecurrenceFlag,
    emerging_cells,
    find_recurrences,
    recommend_patrols,
)
from .domain.windows import Window, hour_start, previous_windows, window_hours

__all__ = ["Filter", "Dashboard", "HOTSPOT_RESOLUTION"]

HOTSPOT_RESOLUTION = 8


@dataclass(frozen=True)
class Filter:
    """What a dashboard view shows."""

    layer: Layer = Layer.REPORTS
    category: str | None = None
    window: Window = Window.WEEK
    unit_id: str | None = None


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
        cache_s: float,
        baseline_weeks: int,
    ) -> None:
        self._store = store
        self._study_area_factory = study_area
        self._study_area: StudyArea | None = None
        self._clock = clock
        self.k = k_anonymity
        self._coarsest = coarsest_resolution
        self._cache_s = cache_s
        self._baseline_weeks = baseline_weeks
        self._cache: dict[tuple[Any, ...], tuple[float, dict[str, tuple[float, float]]]] = {}
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

    def gi_star(self, f: Filter, *, at: datetime | None = None) -> dict[str, tuple[float, float]]:
        """(z, p) of every cell of the study area with a count, or whose z is significant, for the window.

        Computed over all units (a unit filter only selects cells afterwards) and cached.
        """
        start, end = self._window(f, at)
        key = (f.layer, f.category, start, end)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self._cache_s:
            return cached[1]
        area = self.study_area()
        counts = self._store.window_counts(layer=f.layer, start=start, end=end, category=f.category)
        y, _ = area.vector(counts)
        result = gi_star(y, area.weights)
        keep = (y > 0) | (result.z >= 1.96)
        cells = area.cells
        out = {cells[i]: (float(result.z[i]), float(result.p[i])) for i in keep.nonzero()[0].tolist()}
        self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._cache_s}
        self._cache[key] = (now, out)
        return out

    def hexagons(self, f: Filter, *, resolution: int = HOTSPOT_RESOLUTION) -> dict[str, Any]:
        """Public GeoJSON hexagons: counts (k-anonymous), Gi* z and p at the hotspot resolution."""
        counts = self.counts(f)
        if resolution != HOTSPOT_RESOLUTION:
            counts = roll_up(counts.items(), resolution)
        public, hidden = k_anonymise(counts, k=self.k, coarsest=min(self._coarsest, resolution))
        z = self.gi_star(f) if resolution == HOTSPOT_RESOLUTION else {}
        features = []
        for c in public:
            props: dict[str, Any] = {"cell": c.cell, "count": c.count, "merged": c.merged}
            if not c.merged and c.cell in z:
                props["z"], props["p"] = round(z[c.cell][0], 6), z[c.cell][1]
            features.append(_feature(c.cell, props))
        return self._collection(f, features, hidden=hidden)

    def top_hotspots(self, f: Filter, *, n: int) -> dict[str, Any]:
        """The ``n`` cells with the highest Gi* z among cells with at least k reports (public)."""
        counts = self.counts(f)
        z = self.gi_star(f)
        ranked = sorted((c for c, v in counts.items() if v >= self.k and c in z), key=lambda c: (-z[c][0], c))[:n]
        features = [
            _feature(c, {"cell": c, "rank": i + 1, "count": counts[c], "z": round(z[c][0], 6), "p": z[c][1]})
            for i, c in enumerate(ranked)
        ]
        return self._collection(f, features, hidden=None)

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
        """The unit's cells to patrol over the last 28 days, ranked, with time bands and reasons."""
        f = Filter(Layer.REPORTS, category, Window.FOUR_WEEKS, unit_id)
        counts = self.counts(f)
        z = self.gi_star(f)
        since = self._clock() - timedelta(days=28)
        sightings = self._store.sightings(unit_id=unit_id, since=since, category=category)
        return recommend_patrols(
            counts=counts,
            z_scores={c: z[c][0] for c in counts if c in z},
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

    def _collection(self, f: Filter, features: list[dict[str, Any]], *, hidden: int | None) -> dict[str, Any]:
        meta = self._meta(f)
        if hidden is not None:
            meta["hidden_count"] = hidden
        return {"type": "FeatureCollection", "features": features, "metadata": meta}


def _feature(cell: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": cell, "geometry": hexagon_geometry(cell), "properties": properties}
