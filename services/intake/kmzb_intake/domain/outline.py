"""Is a point in Poland? Membership of its H3 cell in the national outline's cell set."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import h3

__all__ = ["NationalOutline", "load_outline"]


class NationalOutline:
    """A compacted H3 cell set covering Poland with a ~2 km tolerance at the coast and borders."""

    def __init__(self, cells: frozenset[str], resolution: int) -> None:
        self._cells = cells
        self._resolution = resolution

    def contains(self, *, lat: float, lon: float) -> bool:
        """Whether the point's cell, or one of its ancestors, is in the set."""
        cell = h3.latlng_to_cell(lat, lon, self._resolution)
        if cell in self._cells:
            return True
        return any(h3.cell_to_parent(cell, r) in self._cells for r in range(self._resolution))


@cache
def load_outline() -> NationalOutline:
    """The packaged outline (built by services/intake/scripts/build_outline.py)."""
    raw = json.loads(resources.files("kmzb_intake.data").joinpath("poland_outline_h3.json").read_text("utf-8"))
    return NationalOutline(frozenset(raw["cells"]), int(raw["resolution"]))
