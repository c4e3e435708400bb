"""Getis-Ord Gi* over H3 neighbourhoods with sparse matrices (pure numpy/scipy, no framework).

The statistic and its analytical moments are those of PySAL esda
``G_Local(y, w, transform="B", star=True)``: binary weights with the cell itself included
(self weight 1), z-scores against the study area's mean and variance, and ``p = sf(|z|)``.
Zero-count cells of the study area must be part of ``y``: otherwise empty hexagons drop out
and their neighbours become islands.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import h3
import h3.api.basic_int as h3_int
import numpy as np
import scipy.sparse as sp
from scipy.stats import norm

__all__ = ["StudyArea", "GiStar", "gi_star"]


@dataclass(frozen=True)
class StudyArea:
    """The cells of a study area in a fixed order with their binary Gi* weights (self included)."""

    ids: np.ndarray
    """H3 cells as sorted uint64: the order of ``y``."""
    weights: sp.csr_matrix
    """n x n, 1 where two cells are within ``k`` grid steps of each other (the diagonal included)."""
    k: int

    @classmethod
    def from_cells(cls, cells: Iterable[str], *, k: int = 1) -> StudyArea:
        """Build the neighbourhood of every cell within ``k`` grid steps, inside the study area only."""
        return cls.from_ids(np.fromiter((h3.str_to_int(c) for c in cells), dtype=np.uint64), k=k)

    @classmethod
    def from_ids(cls, cell_ids: np.ndarray, *, k: int = 1) -> StudyArea:
        """Like :meth:`from_cells`, from H3 cells as integers."""
        if k < 1:
            raise ValueError("k must be at least 1")
        ids = np.unique(np.asarray(cell_ids, dtype=np.uint64))
        if ids.size == 0:
            raise ValueError("a study area needs at least one cell")
        # The resolution sits in bits 52-55 of an H3 index.
        if np.unique((ids >> np.uint64(52)) & np.uint64(0xF)).size != 1:
            raise ValueError("all cells of a study area must have the same resolution")
        # The integer API of h3 avoids a string per neighbour: about 4x faster at national scale.
        disks = [h3_int.grid_disk(cell, k) for cell in ids.tolist()]
        sizes = np.fromiter(map(len, disks), dtype=np.int64, count=len(disks))
        neighbours = np.fromiter(itertools.chain.from_iterable(disks), dtype=np.uint64, count=int(sizes.sum()))
        rows = np.repeat(np.arange(ids.size, dtype=np.int64), sizes)
        pos = np.searchsorted(ids, neighbours)
        pos[pos == ids.size] = 0
        inside = ids[pos] == neighbours
        row_idx = rows[inside]
        col_idx = pos[inside].astype(np.int64)
        n = ids.size
        weights = sp.csr_matrix((np.ones(row_idx.size, dtype=np.float64), (row_idx, col_idx)), shape=(n, n))
        return cls(ids=ids, weights=weights, k=k)

    @cached_property
    def cells(self) -> tuple[str, ...]:
        """The cells as strings, in the order of ``y``."""
        return tuple(h3.int_to_str(int(i)) for i in self.ids)

    @property
    def size(self) -> int:
        """Number of cells."""
        return int(self.ids.size)

    def index_of(self, cells: Sequence[str]) -> np.ndarray:
        """Positions of ``cells`` in the study area; -1 for a cell outside it."""
        wanted = np.fromiter((h3.str_to_int(c) for c in cells), dtype=np.uint64, count=len(cells))
        pos = np.searchsorted(self.ids, wanted)
        pos[pos == self.ids.size] = 0
        return np.where(self.ids[pos] == wanted, pos, -1)

    def vector(self, values: dict[str, float]) -> tuple[np.ndarray, int]:
        """The dense y of the study area (zeros where no value) and how many cells fell outside it."""
        y = np.zeros(self.size, dtype=np.float64)
        if not values:
            return y, 0
        cells = list(values)
        pos = self.index_of(cells)
        vals = np.fromiter((values[c] for c in cells), dtype=np.float64, count=len(cells))
        keep = pos >= 0
        np.add.at(y, pos[keep], vals[keep])
        return y, int((~keep).sum())


@dataclass(frozen=True)
class GiStar:
    """Gi* of every cell of a study area: z-scores and one-sided normal p-values of |z|."""

    z: np.ndarray
    p: np.ndarray


def gi_star(y: np.ndarray, weights: sp.csr_matrix) -> GiStar:
    """Gi* z-scores and p-values of ``y`` under binary ``weights`` whose diagonal is 1.

    A study area without variation (all zero, or all equal) has no hotspots: z = 0, p = 0.5.
    """
    y = np.asarray(y, dtype=np.float64)
    n = y.size
    if weights.shape != (n, n):
        raise ValueError(f"weights are {weights.shape}, y has {n} cells")
    total = y.sum()
    mean = total / n
    variance = (y * y).sum() / n - mean * mean
    if n < 2 or total == 0 or variance <= 0:
        return GiStar(z=np.zeros(n), p=np.full(n, 0.5))
    cardinality = np.asarray(weights.sum(axis=1)).ravel()
    statistic = (weights @ y) / total
    expected = cardinality / n
    expected_variance = cardinality * (n - cardinality) / (n - 1) / n**2 * variance / mean**2
    # A cell whose neighbourhood is the whole study area has no variance: it cannot stand out.
    sd = np.sqrt(expected_variance)
    z = np.divide(statistic - expected, sd, out=np.zeros(n), where=sd > 0)
    return GiStar(z=z, p=norm.sf(np.abs(z)))
