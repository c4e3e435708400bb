"""Read models of the windowed counts, sightings and eliminations in MongoDB (idempotent writes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo.database import Database

from kmzb_contracts import TimeBand

from ..domain.counts import Layer, parse_bucket_key
from ..domain.patrols import Elimination, Sighting
from .counts_view import BucketRow, CountsView

__all__ = ["StatsStore"]


_BUCKET_FIELDS = {"cell": 1, "layer": 1, "category": 1, "units": 1, "hour": 1, "count": 1}
_CATCH_UP_OVERLAP = timedelta(minutes=2)
"""Writes are re-read from this long before the last catch-up: replicas' clocks and writes in flight."""


def _row(doc: Mapping[str, Any]) -> BucketRow:
    return BucketRow(
        key=doc["_id"],
        cell=doc["cell"],
        layer=doc["layer"],
        category=doc["category"],
        units=tuple(doc.get("units") or ()),
        hour=int(doc["hour"]),
        count=float(doc["count"]),
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StatsStore:
    """Hourly buckets (one document per cell, layer, category, unit and hour), sightings, eliminations.

    The window sums are answered by an in-memory :class:`CountsView` of the buckets once
    :meth:`load_view` has read them in, by the store before that (same answers, slower).
    """

    def __init__(self, db: Database[Any], *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self.view = CountsView()
        self._buckets = db["hourly_counts"]
        self._sightings = db["sightings"]
        self._eliminations = db["eliminations"]
        self._buckets.create_index([("layer", pymongo.ASCENDING), ("hour", pymongo.ASCENDING)])
        self._buckets.create_index([("units", pymongo.ASCENDING), ("hour", pymongo.ASCENDING)])
        self._buckets.create_index([("layer", pymongo.ASCENDING), ("cell", pymongo.ASCENDING)])
        self._buckets.create_index([("updated", pymongo.ASCENDING)])
        self._sightings.create_index([("units", pymongo.ASCENDING), ("at", pymongo.ASCENDING)])
        self._eliminations.create_index([("unit_id", pymongo.ASCENDING)])

    def put_buckets(self, cell: str, buckets: Mapping[str, float], chains: Mapping[str, Sequence[str]]) -> None:
        """Write a cell's bucket counts (the stored count only grows); ``chains`` gives each unit's chain."""
        # One upsert per document: mongomock does not honour every bulk_write option of pymongo.
        rows = []
        updated = self._clock()
        for key, value in buckets.items():
            b = parse_bucket_key(key)
            units = list(chains.get(b.unit_id, [b.unit_id])) if b.unit_id else []
            self._buckets.update_one(
                {"_id": f"{cell}|{key}"},
                {
                    "$set": {
                        "cell": cell,
                        "layer": str(b.layer),
                        "category": b.category,
                        "unit_id": b.unit_id,
                        "units": units,
                        "hour": b.hour,
                        # Other replicas' views read back what changed since their last look.
                        "updated": updated,
                    },
                    # A bucket's count only grows: a value read before another agent counted more
                    # (or written late by another thread) can never lower the stored one.
                    "$max": {"count": value},
                },
                upsert=True,
            )
            rows.append(BucketRow(f"{cell}|{key}", cell, str(b.layer), b.category, tuple(units), b.hour, float(value)))
        # After the store: a view never holds a count the store lacks.
        self.view.apply(rows)

    def load_view(self, *, batch: int = 5000) -> datetime:
        """Read every bucket into the view (at start-up, in the background); the time to catch up from."""
        started = self._clock()
        cursor = self._buckets.find({}, _BUCKET_FIELDS).batch_size(batch)
        chunk: list[BucketRow] = []
        for doc in cursor:
            chunk.append(_row(doc))
            if len(chunk) >= batch:
                self.view.apply(chunk)
                chunk = []
        self.view.apply(chunk)
        self.view.loaded = True
        return started

    def catch_up_view(self, since: datetime) -> datetime:
        """Apply buckets written since ``since`` (by any replica) to the view; the time to catch up from next."""
        started = self._clock()
        query = {"updated": {"$gte": since - _CATCH_UP_OVERLAP}}
        self.view.apply([_row(doc) for doc in self._buckets.find(query, _BUCKET_FIELDS)])
        return started

    def chain_of(self, unit_id: str) -> list[str] | None:
        """The unit's chain of unit ids (national first), from counts of the unit or of a unit below it."""
        if self.view.loaded:
            return self.view.chain_of(unit_id)
        # Imported statistics may know only their own unit: the longest chain seen wins.
        chains = [list(d["units"]) for d in self._buckets.find({"units": unit_id}, {"units": 1}).limit(100)]
        if not chains:
            return None
        units = max(chains, key=lambda c: c.index(unit_id))
        return units[: units.index(unit_id) + 1]

    def _query(self, layer: Layer, start: int, end: int, category: str | None, unit_id: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"layer": str(layer), "hour": {"$gte": start, "$lt": end}}
        if category is not None:
            query["category"] = category
        if unit_id is not None:
            query["units"] = unit_id
        return query

    def _sum_by(self, field: str, query: dict[str, Any]) -> dict[Any, float]:
        out: dict[Any, float] = {}
        for doc in self._buckets.find(query, {field: 1, "count": 1}):
            out[doc[field]] = out.get(doc[field], 0.0) + doc["count"]
        return out

    def window_counts(
        self, *, layer: Layer, start: int, end: int, category: str | None = None, unit_id: str | None = None
    ) -> dict[str, float]:
        """Counts per cell over the hours [start, end)."""
        if self.view.loaded:
            return self.view.window_counts(layer=str(layer), start=start, end=end, category=category, unit_id=unit_id)
        return self._sum_by("cell", self._query(layer, start, end, category, unit_id))

    def stream_window_counts(
        self, *, layer: Layer, start: int, end: int, category: str | None = None, unit_id: str | None = None
    ) -> Iterator[tuple[str, float]]:
        """(cell, count) over the hours [start, end), cell by cell from a cursor sorted by cell (open-data export)."""
        query = self._query(layer, start, end, category, unit_id)
        cursor = self._buckets.find(query, {"cell": 1, "count": 1}).sort("cell", pymongo.ASCENDING).batch_size(1000)
        cell, total = None, 0.0
        for doc in cursor:
            if doc["cell"] != cell:
                if cell is not None:
                    yield cell, total
                cell, total = doc["cell"], 0.0
            total += doc["count"]
        if cell is not None:
            yield cell, total

    def hourly_series(
        self, *, layer: Layer, start: int, end: int, category: str | None = None, unit_id: str | None = None
    ) -> dict[int, float]:
        """Counts per hour over [start, end), summed over cells."""
        if self.view.loaded:
            return self.view.hourly_series(layer=str(layer), start=start, end=end, category=category, unit_id=unit_id)
        return self._sum_by("hour", self._query(layer, start, end, category, unit_id))

    def category_totals(self, *, layer: Layer, start: int, end: int, unit_id: str | None = None) -> dict[str, float]:
        """Counts per category over the hours [start, end)."""
        if self.view.loaded:
            return self.view.category_totals(layer=str(layer), start=start, end=end, unit_id=unit_id)
        return self._sum_by("category", self._query(layer, start, end, None, unit_id))

    def delete_before(self, hour: int) -> int:
        """Drop buckets older than ``hour`` (retention); how many went."""
        gone = self._buckets.delete_many({"hour": {"$lt": hour}}).deleted_count
        self.view.drop_before(hour)
        return gone

    def put_sighting(self, sighting: Sighting, units: Sequence[str]) -> None:
        """Store a counted report's place, time and bands (no reporter data)."""
        self._sightings.update_one(
            {"_id": sighting.report_id},
            {
                "$set": {
                    "category": sighting.category,
                    "hotspot_cell": sighting.hotspot_cell,
                    "dedup_cell": sighting.dedup_cell,
                    "unit_id": sighting.unit_id,
                    "units": list(units),
                    "at": sighting.at,
                    "bands": [str(b) for b in sighting.bands],
                }
            },
            upsert=True,
        )

    def sightings(self, *, unit_id: str, since: datetime, category: str | None = None) -> list[Sighting]:
        """Sightings in a unit (or its subunits) seen at or after ``since``."""
        query: dict[str, Any] = {"units": unit_id, "at": {"$gte": since}}
        if category is not None:
            query["category"] = category
        return [
            Sighting(
                report_id=doc["_id"],
                category=doc["category"],
                hotspot_cell=doc["hotspot_cell"],
                dedup_cell=doc["dedup_cell"],
                unit_id=doc["unit_id"],
                at=doc["at"],
                bands=tuple(TimeBand(b) for b in doc["bands"]),
            )
            for doc in self._sightings.find(query).sort("at", pymongo.ASCENDING)
        ]

    def put_elimination(self, elimination: Elimination) -> None:
        """Record an eliminated threat (idempotent by task id)."""
        self._eliminations.update_one(
            {"_id": elimination.task_id},
            {
                "$set": {
                    "category": elimination.category,
                    "dedup_cell": elimination.dedup_cell,
                    "unit_id": elimination.unit_id,
                    "eliminated_at": elimination.eliminated_at,
                }
            },
            upsert=True,
        )

    def eliminations(self, *, category: str | None = None) -> list[Elimination]:
        """Every recorded elimination, optionally of one category."""
        query: dict[str, Any] = {} if category is None else {"category": category}
        return [
            Elimination(
                task_id=doc["_id"],
                category=doc["category"],
                dedup_cell=doc["dedup_cell"],
                unit_id=doc["unit_id"],
                eliminated_at=doc["eliminated_at"],
            )
            for doc in self._eliminations.find(query)
        ]

    def put_sightings(self, items: Iterable[tuple[Sighting, Sequence[str]]]) -> None:
        """:meth:`put_sighting` for several sightings (after recovery)."""
        for sighting, units in items:
            self.put_sighting(sighting, units)

    def put_eliminations(self, items: Iterable[Elimination]) -> None:
        """:meth:`put_elimination` for several eliminations (after recovery)."""
        for elimination in items:
            self.put_elimination(elimination)

    def put_many(self, items: Iterable[tuple[str, Mapping[str, float], Mapping[str, Sequence[str]]]]) -> None:
        """:meth:`put_buckets` for several cells (after recovery)."""
        for cell, buckets, chains in items:
            self.put_buckets(cell, buckets, chains)
