"""The Gi* study area: every H3 cell of an outline, empty ones included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

import h3.api.basic_int as h3_int
import numpy as np

from .gi_star import StudyArea

__all__ = ["poland_outline", "outline_cell_ids", "outline_study_area"]


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
