"""An in-memory columnar copy of the hourly buckets, from which the dashboard's windows are summed.

Every dashboard call sums buckets over a window: per cell (hexagons, Gi*), per hour (trends), per
category. Asked of the store, each is a scan of the window's documents; over 100,000 reports
mongomock (``make run``) took 1–2 s for a bare ``count_documents`` and over a minute for a 28-day
sum (docs/benchmarks.md). The view holds the same buckets as numpy columns (with the key
index about 190 bytes a bucket; retention keeps eight weeks) and sums a window with a mask and a
``bincount``.

It stays equal to the store because it is fed the same writes with the same rule: a bucket's count
is the largest ever written (``$max``), so writes, the first load and the catch-up commute and may
repeat. Writes of this process reach it as they are made; writes of other replicas (each owns some
of the stream's partitions) are read back by :meth:`CountsView.catch_up` from their ``updated`` stamp.
Rows older than the retention are dropped with the store's own retention delete.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BucketRow", "CountsView"]

_NO_CATEGORY = -1


@dataclass(frozen=True, slots=True)
class BucketRow:
    """One stored bucket document, as the view needs it."""

    key: str
    """The document's ``_id``."""
    cell: str
    layer: str
    category: str
    units: tuple[str, ...]
    """The owning unit's chain (national first); empty when no unit owns the records."""
    hour: int
    count: float


class _Interned:
    """Values to small integer codes and back."""

    def __init__(self) -> None:
        self.codes: dict[object, int] = {}
        self.values: list[object] = []

    def code(self, value: object) -> int:
        c = self.codes.get(value)
        if c is None:
            c = self.codes[value] = len(self.values)
            self.values.append(value)
        return c


class CountsView:
    """The buckets as columns: cell, layer, category, unit chain, hour and count, one row per document."""

    def __init__(self, *, capacity: int = 1024) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, int] = {}
        self._n = 0
        self._cell = np.zeros(capacity, dtype=np.int32)
        self._layer = np.zeros(capacity, dtype=np.int16)
        self._category = np.zeros(capacity, dtype=np.int32)
        self._chain = np.zeros(capacity, dtype=np.int32)
        self._hour = np.zeros(capacity, dtype=np.int64)
        self._count = np.zeros(capacity, dtype=np.float64)
        self._cells, self._layers, self._categories, self._chains = _Interned(), _Interned(), _Interned(), _Interned()
        self._under: dict[str, set[int]] = {}
        """Unit id → codes of the chains that contain it (the store's ``units: unit_id`` match)."""
        self.loaded = False
        """True once every stored bucket was read in (until then the store answers itself)."""

    def __len__(self) -> int:
        return self._n

    def apply(self, rows: Iterable[BucketRow]) -> None:
        """Merge documents as the store does: a row's count becomes the larger of the two."""
        with self._lock:
            for r in rows:
                i = self._rows.get(r.key)
                if i is not None:
                    if r.count > self._count[i]:
                        self._count[i] = r.count
                    # Chains only widen (a unit first known alone, later with its commands above):
                    # the store keeps the last one written, which is the widest; so does the view.
                    if len(r.units) > len(self._chains.values[self._chain[i]]):  # type: ignore[arg-type]
                        self._chain[i] = self._chain_code(r.units)
                    continue
                if self._n == len(self._count):
                    self._grow()
                i = self._rows[r.key] = self._n
                self._n += 1
                self._cell[i] = self._cells.code(r.cell)
                self._layer[i] = self._layers.code(r.layer)
                self._category[i] = self._categories.code(r.category)
                self._chain[i] = self._chain_code(r.units)
                self._hour[i] = r.hour
                self._count[i] = r.count

    def _chain_code(self, units: tuple[str, ...]) -> int:
        known = len(self._chains.values)
        code = self._chains.code(units)
        if code == known:
            for u in units:
                self._under.setdefault(u, set()).add(code)
        return code

    def _grow(self) -> None:
        size = 2 * len(self._count)
        for name in ("_cell", "_layer", "_category", "_chain", "_hour", "_count"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def drop_before(self, hour: int) -> int:
        """Forget rows older than ``hour`` (the store's retention); how many went."""
        with self._lock:
            keep = self._hour[: self._n] >= hour
            gone = int(self._n - keep.sum())
            if not gone:
                return 0
            order = np.flatnonzero(keep)
            for name in ("_cell", "_layer", "_category", "_chain", "_hour", "_count"):
                col = getattr(self, name)
                col[: len(order)] = col[order]
            # Row numbers moved: the key index is rebuilt from the kept rows' old positions.
            position = np.full(self._n, -1, dtype=np.int64)
            position[order] = np.arange(len(order))
            self._rows = {k: int(position[i]) for k, i in self._rows.items() if position[i] >= 0}
            self._n = len(order)
            return gone

    def _mask(self, layer: str, start: int, end: int, category: str | None, unit_id: str | None) -> np.ndarray | None:
        n = self._n
        layer_code = self._layers.codes.get(layer)
        if layer_code is None:
            return None
        mask = (self._layer[:n] == layer_code) & (self._hour[:n] >= start) & (self._hour[:n] < end)
        if category is not None:
            category_code = self._categories.codes.get(category)
            if category_code is None:
                return None
            mask &= self._category[:n] == category_code
        if unit_id is not None:
            chains = self._under.get(unit_id)
            if not chains:
                return None
            mask &= np.isin(self._chain[:n], np.fromiter(chains, dtype=np.int32))
        return mask

    def _sum_by(self, column: str, values: _Interned, **query: object) -> dict[object, float]:
        with self._lock:
            mask = self._mask(**query)  # type: ignore[arg-type]
            if mask is None:
                return {}
            codes = getattr(self, column)[: self._n][mask]
            sums = np.bincount(codes, weights=self._count[: self._n][mask], minlength=len(values.values))
            present = np.bincount(codes, minlength=len(values.values)) > 0
            found = np.flatnonzero(present)
            return {values.values[c]: float(sums[c]) for c in found.tolist()}

    def window_counts(
        self, *, layer: str, start: int, end: int, category: str | None = None, unit_id: str | None = None
    ) -> dict[str, float]:
        """Counts per cell over the hours [start, end), as :meth:`StatsStore.window_counts`."""
        q = {"layer": layer, "start": start, "end": end, "category": category, "unit_id": unit_id}
        return self._sum_by("_cell", self._cells, **q)  # type: ignore[return-value]

    def category_totals(self, *, layer: str, start: int, end: int, unit_id: str | None = None) -> dict[str, float]:
        """Counts per category over the hours [start, end)."""
        q = {"layer": layer, "start": start, "end": end, "category": None, "unit_id": unit_id}
        return self._sum_by("_category", self._categories, **q)  # type: ignore[return-value]

    def hourly_series(
        self, *, layer: str, start: int, end: int, category: str | None = None, unit_id: str | None = None
    ) -> dict[int, float]:
        """Counts per hour over [start, end), summed over cells."""
        with self._lock:
            mask = self._mask(layer, start, end, category, unit_id)
            if mask is None:
                return {}
            hours = self._hour[: self._n][mask] - start
            sums = np.bincount(hours, weights=self._count[: self._n][mask], minlength=max(end - start, 0))
            present = np.bincount(hours, minlength=max(end - start, 0)) > 0
            return {start + int(h): float(sums[h]) for h in np.flatnonzero(present).tolist()}

    def cells(self) -> list[str]:
        """Every cell a bucket names."""
        with self._lock:
            return list(self._cells.values)  # type: ignore[arg-type]

    def chain_of(self, unit_id: str) -> list[str] | None:
        """The unit's chain (national first), the longest any bucket carries; None when no bucket names it."""
        with self._lock:
            chains: Sequence[tuple[str, ...]] = [self._chains.values[c] for c in self._under.get(unit_id, ())]  # type: ignore[misc]
        if not chains:
            return None
        units = max(chains, key=lambda c: (c.index(unit_id), c))
        return list(units[: units.index(unit_id) + 1])
