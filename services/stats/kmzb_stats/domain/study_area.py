"""The Gi* study area: every H3 cell of an outline, empty ones included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

import h3.api.basic_int as h3_int
import numpy as np

from .gi_star import StudyArea

__all__ = ["poland_outline", "outline_cell_ids", "outline_study_area", "territory_cell_ids"]


def poland_outline() -> list[tuple[float, float]]:
    """The rough outline of Poland shipped with the service, as (lat, lon) vertices."""
    text = resources.files("kmzb_stats").joinpath("data/poland_outline.json").read_text(encoding="utf-8")
    return [(float(lat), float(lon)) for lat, lon in json.loads(text)["ring"]]


def outline_cell_ids(outline: Sequence[tuple[float, float]], resolution: int) -> np.ndarray:
    """Cells (as integers) whose centres lie inside ``outline``."""
    if not 0 <= resolution <= 15:
        raise ValueError("resolution must be between 0 and 15")
    return np.asarray(h3_int.polygon_to_cells(h3_int.LatLngPoly(list(outline)), resolution), dtype=np.uint64)


def outline_study_area(outline: Sequence[tuple[float, float]], *, resolution: int, k: int = 1) -> StudyArea:
    """The study area of ``outline`` at ``resolution`` with k-ring neighbourhoods."""
    return StudyArea.from_ids(outline_cell_ids(outline, resolution), k=k)


def territory_cell_ids(cells: Sequence[str], resolution: int) -> np.ndarray:
    """The cells (as integers) at ``resolution`` of a territory given as compacted cells of any resolution.

    Coarser cells are expanded into their children; finer cells (operator beats) stand for their parent.
    """
    out: list[int] = []
    for cell in cells:
        ci = h3_int.str_to_int(cell)
        res = h3_int.get_resolution(ci)
        if res < resolution:
            out.extend(h3_int.cell_to_children(ci, resolution))
        elif res > resolution:
            out.append(h3_int.cell_to_parent(ci, resolution))
        else:
            out.append(ci)
    return np.unique(np.asarray(out, dtype=np.uint64))
