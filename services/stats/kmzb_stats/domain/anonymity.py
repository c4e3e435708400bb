"""k-anonymity of public outputs: a cell with fewer than k reports is merged into its parent or hidden."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import h3

__all__ = ["PublicCell", "k_anonymise"]


@dataclass(frozen=True)
class PublicCell:
    """A cell fit for public output, with its count; ``merged`` when it stands for small children."""

    cell: str
    count: float
    merged: bool


def k_anonymise(counts: Mapping[str, float], *, k: int, coarsest: int) -> tuple[list[PublicCell], int]:
    """Cells with at least ``k`` kept; smaller ones summed into parents, one resolution at a time.

    A parent shows only the sum of its small children (never its large ones), and only when that
    sum reaches ``k``; what is still below ``k`` at resolution ``coarsest`` is hidden. Zero cells
    are dropped. Returns the public cells (by cell id) and how many reports were hidden.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if len({h3.get_resolution(c) for c in counts}) > 1:
        raise ValueError("all cells must have the same resolution")
    public: list[PublicCell] = []
    small: dict[str, float] = {}
    for cell, count in counts.items():
        if count >= k:
            public.append(PublicCell(cell, count, merged=False))
        elif count > 0:
            small[cell] = count
    while small:
        resolution = h3.get_resolution(next(iter(small)))
        if resolution <= coarsest:
            break
        parents: dict[str, float] = {}
        for cell, count in small.items():
            parent = h3.cell_to_parent(cell, resolution - 1)
            parents[parent] = parents.get(parent, 0.0) + count
        small = {}
        for parent, count in parents.items():
            if count >= k:
                public.append(PublicCell(parent, count, merged=True))
            else:
                small[parent] = count
    return sorted(public, key=lambda c: c.cell), int(sum(small.values()))
