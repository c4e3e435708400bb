"""Read model of hotspot counts in MongoDB, written with absolute values that only grow (idempotent)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pymongo
from pymongo.database import Database

__all__ = ["HotspotStore"]


class HotspotStore:
    """One document per (cell, owning unit, category) with its count; a cell's count sums its units."""

    def __init__(self, db: Database[Any]) -> None:
        self._counts = db["hotspot_counts"]
        self._counts.create_index([("category", pymongo.ASCENDING), ("cell", pymongo.ASCENDING)])

    def put(self, items: Iterable[tuple[str, str | None, Mapping[str, int]]]) -> None:
        """Write all-time counts of (cell, owning unit); a stored count only grows (never lowered by a late write).

        Each unit's part of a cell is counted by the stream partition of that unit, so the parts are
        written apart and summed when read.
        """
        # One upsert per document: mongomock does not honour every bulk_write option of pymongo.
        for cell, unit_id, counts in items:
            unit = unit_id or "-"
            for category, count in counts.items():
                self._counts.update_one(
                    {"_id": f"{cell}:{unit}:{category}"},
                    {"$set": {"cell": cell, "unit_id": unit, "category": category}, "$max": {"count": count}},
                    upsert=True,
                )

    def cells(self, *, category: str | None, min_total: int) -> list[tuple[str, dict[str, int]]]:
        """Cells with their per-category counts, optionally of one category, by cell id."""
        query: dict[str, Any] = {"category": category} if category else {}
        by_cell: dict[str, dict[str, int]] = defaultdict(dict)
        for doc in self._counts.find(query, {"_id": 0}):
            counts = by_cell[doc["cell"]]
            counts[doc["category"]] = counts.get(doc["category"], 0) + doc["count"]
        return sorted((c, counts) for c, counts in by_cell.items() if sum(counts.values()) >= min_total)
