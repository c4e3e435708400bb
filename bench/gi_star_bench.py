"""Gi* for all of Poland at H3 resolution 8: the stats service's sparse numpy beside PySAL esda.

Run: .venv/bin/python bench/gi_star_bench.py [--resolution 8] [--runs 20] [--esda-max-cells N]

Both run in the same process on the same counts and the same study area (the rough outline of
Poland shipped with kmzb-stats, zero-count cells included). esda gets a libpysal ``W`` built from
the same H3 neighbourhoods; its build time is printed apart from the ``G_Local`` call. If the study
area is larger than ``--esda-max-cells``, esda runs on a disk of that many cells only and the line
says so; nothing is extrapolated.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import h3
import numpy as np

from kmzb_stats.domain.gi_star import StudyArea, gi_star
from kmzb_stats.domain.study_area import outline_study_area, poland_outline

# Reports cluster in towns: centres (lat, lon) and their weight.
_TOWNS = [
    (52.23, 21.01, 10),
    (50.06, 19.94, 5),
    (51.76, 19.46, 4),
    (51.11, 17.03, 4),
    (52.41, 16.93, 3),
    (54.35, 18.65, 3),
    (53.43, 14.55, 2),
    (53.12, 18.01, 2),
    (51.25, 22.57, 2),
    (50.26, 19.02, 4),
    (53.13, 23.16, 2),
    (50.04, 22.00, 2),
]


def synthetic_counts(area: StudyArea, *, reports: int, seed: int) -> dict[str, float]:
    """Counts per cell of ``reports`` placed around towns plus a sparse uniform background."""
    rng = np.random.default_rng(seed)
    weights = np.array([w for *_, w in _TOWNS], dtype=float)
    town = rng.choice(len(_TOWNS), size=reports, p=weights / weights.sum())
    centres = np.array([(lat, lon) for lat, lon, _ in _TOWNS])[town]
    points = centres + rng.normal(scale=0.08, size=(reports, 2))
    cells = [h3.latlng_to_cell(lat, lon, h3.get_resolution(area.cells[0])) for lat, lon in points]
    values: dict[str, float] = {}
    for cell in cells:
        values[cell] = values.get(cell, 0.0) + 1.0
    for i in np.flatnonzero(rng.poisson(0.01, area.size)).tolist():
        values[area.cells[i]] = values.get(area.cells[i], 0.0) + 1.0
    return values


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def _timed(fn, runs: int) -> tuple[list[float], object]:  # noqa: ANN001
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def _esda(area: StudyArea, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    from esda.getisord import G_Local
    from libpysal.weights import W

    start = time.perf_counter()
    cells = area.cells
    coo = area.weights.tocoo()
    neighbours: dict[str, list[str]] = {c: [] for c in cells}
    for i, j in zip(coo.row.tolist(), coo.col.tolist(), strict=True):
        if i != j:
            neighbours[cells[i]].append(cells[j])
    w = W(neighbours, id_order=list(cells), silence_warnings=True)
    build = time.perf_counter() - start
    start = time.perf_counter()
    g = G_Local(y, w, transform="B", star=True, permutations=0)
    return build, time.perf_counter() - start, np.asarray(g.Zs)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=8)
    parser.add_argument("--runs", type=int, default=20, help="Gi* refreshes timed for the percentiles")
    parser.add_argument("--reports", type=int, default=30_000, help="Synthetic reports (about a month)")
    parser.add_argument("--esda-max-cells", type=int, default=1_000_000, help="Larger areas: esda on a disk")
    args = parser.parse_args()

    start = time.perf_counter()
    area = outline_study_area(poland_outline(), resolution=args.resolution)
    build = time.perf_counter() - start
    rss_after_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    values = synthetic_counts(area, reports=args.reports, seed=1)

    def refresh():  # noqa: ANN202
        y, _ = area.vector(values)
        return gi_star(y, area.weights)

    times, result = _timed(refresh, args.runs)
    tracemalloc.start()
    refresh()
    _, refresh_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    z = result.z  # type: ignore[attr-defined]
    y, _ = area.vector(values)

    print(f"Gi* study area: Poland (rough outline), H3 resolution {args.resolution}, k=1")
    print(f"  cells {area.size:,}, neighbour pairs {area.weights.nnz:,}, cells with reports {(y > 0).sum():,}")
    print(f"  weights build (once, cached)  {_ms(build)}   process RSS after it {rss_after_build:7.0f} MiB")
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    print(
        f"  kmzb refresh (counts -> y -> Gi*) x{args.runs}: p50 {_ms(statistics.median(times))}  p95 {_ms(q[18])}"
        f"  max {_ms(max(times))}   peak {refresh_peak / 2**20:7.1f} MiB"
    )
    print(f"  hotspots z > 1.96: {(z > 1.96).sum():,}")

    esda_area, esda_y, label = area, y, "same study area and counts"
    if area.size > args.esda_max_cells:
        centre = area.cells[area.size // 2]
        radius = int(np.sqrt(args.esda_max_cells / 3))
        esda_area = StudyArea.from_cells(h3.grid_disk(centre, radius))
        esda_y, _ = esda_area.vector(synthetic_counts(esda_area, reports=args.reports // 10, seed=2))
        label = f"SMALLER disk of {esda_area.size:,} cells (not all of Poland; nothing extrapolated)"
    ours_times, ours = _timed(lambda: gi_star(esda_y, esda_area.weights), 3)
    w_build, esda_time, esda_z = _esda(esda_area, esda_y)
    diff = float(np.max(np.abs(ours.z - esda_z)))  # type: ignore[attr-defined]
    print(f"PySAL esda G_Local(transform='B', star=True, permutations=0) on the {label}")
    print(f"  libpysal W build              {_ms(w_build)}")
    print(f"  esda G_Local                  {_ms(esda_time)}")
    print(f"  kmzb Gi* (same data)          {_ms(min(ours_times))}   esda/kmzb {esda_time / min(ours_times):8.0f}x")
    print(f"  max |z_kmzb - z_esda|         {diff:.2e}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
