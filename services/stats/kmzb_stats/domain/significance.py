"""Significance classes of Gi* hot and cold spots after a false-discovery-rate correction (pure numpy).

As ArcGIS Hot Spot Analysis (FDR option) and PySAL users do: the two-sided p-values of all the
study area's cells are adjusted by Benjamini–Hochberg, and a cell is a hot (z > 0) or cold (z < 0)
spot at 99, 95 or 90 % confidence when its adjusted p is at most 0.01, 0.05 or 0.10.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

__all__ = ["Significance", "CONFIDENCE_LEVELS", "benjamini_hochberg", "classify", "confidence_of"]

CONFIDENCE_LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
"""(confidence in %, largest adjusted p), strictest first."""


class Significance(StrEnum):
    """The class of a cell shown on the dashboard."""

    HOT_99 = "hot_99"
    HOT_95 = "hot_95"
    HOT_90 = "hot_90"
    NOT_SIGNIFICANT = "not_significant"
    COLD_90 = "cold_90"
    COLD_95 = "cold_95"
    COLD_99 = "cold_99"


HOT = {99: Significance.HOT_99, 95: Significance.HOT_95, 90: Significance.HOT_90}
COLD = {99: Significance.COLD_99, 95: Significance.COLD_95, 90: Significance.COLD_90}


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of ``p``, in the order of ``p``.

    q of the i-th smallest p is min over j >= i of p_(j) * n / j, at most 1.
    """
    p = np.asarray(p, dtype=np.float64)
    n = p.size
    if n == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * n / np.arange(1, n + 1)
    q_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(n)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def classify(z: np.ndarray, q: np.ndarray) -> list[Significance]:
    """The class of each cell from its z (sign) and adjusted p."""
    out = []
    for zi, qi in zip(z.tolist(), q.tolist(), strict=True):
        level = confidence_of(qi)
        if level is None or zi == 0:
            out.append(Significance.NOT_SIGNIFICANT)
        else:
            out.append((HOT if zi > 0 else COLD)[level])
    return out


def confidence_of(q: float) -> int | None:
    """The highest confidence level (99, 95, 90) an adjusted p reaches, or None."""
    for level, bound in CONFIDENCE_LEVELS:
        if q <= bound:
            return level
    return None
