"""What stats keeps of one hotspot cell, and the rule that counts each input into it once (pure domain code).

One value per cell holds everything a count changes: the hourly buckets, the all-time report
totals, the ids already counted, the units' chains and the recent sightings. The stream table
stores it whole, so one changelog record carries the counts together with the ids that guard
them: a crash can keep both or neither, never a guard without its count (which would skip the
redelivered report for good) or a count without its guard (which would count it twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kmzb_contracts import TimeBand

from .counts import Bucket, Layer, add_to_bucket, bucket_key, prune_buckets
from .patrols import Sighting

__all__ = ["CellEntry", "Counted", "SightingRecord"]


@dataclass(frozen=True)
class SightingRecord:
    """A counted report's place, time and bands as a cell keeps it (no reporter data)."""

    category: str
    dedup_cell: str
    unit_id: str | None
    units: tuple[str, ...]
    at: datetime
    bands: tuple[TimeBand, ...]

    @classmethod
    def of(cls, sighting: Sighting, units: Sequence[str]) -> SightingRecord:
        """The record of ``sighting`` in the unit chain ``units``."""
        return cls(
            category=sighting.category,
            dedup_cell=sighting.dedup_cell,
            unit_id=sighting.unit_id,
            units=tuple(units),
            at=sighting.at,
            bands=tuple(sighting.bands),
        )

    def sighting(self, *, report_id: str, cell: str) -> Sighting:
        """The sighting this record keeps, of report ``report_id`` in ``cell``."""
        return Sighting(
            report_id=report_id,
            category=self.category,
            hotspot_cell=cell,
            dedup_cell=self.dedup_cell,
            unit_id=self.unit_id,
            at=self.at,
            bands=self.bands,
        )

    def to_value(self) -> dict[str, Any]:
        """The record as JSON-friendly data."""
        return {
            "category": self.category,
            "dedup_cell": self.dedup_cell,
            "unit_id": self.unit_id,
            "units": list(self.units),
            "at": self.at.isoformat(),
            "bands": [str(b) for b in self.bands],
        }

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> SightingRecord:
        """The inverse of :meth:`to_value`."""
        return cls(
            category=value["category"],
            dedup_cell=value["dedup_cell"],
            unit_id=value["unit_id"],
            units=tuple(value["units"]),
            at=datetime.fromisoformat(value["at"]),
            bands=tuple(TimeBand(b) for b in value["bands"]),
        )


@dataclass(frozen=True)
class Counted:
    """The outcome of counting one input: the cell's new entry and the buckets whose stored documents changed."""

    entry: CellEntry
    changed_buckets: dict[str, float]
    changed_totals: dict[str, int]


@dataclass(frozen=True)
class CellEntry:
    """Counts of one hotspot cell, with the ids counted into them, within the retention."""

    buckets: Mapping[str, float] = field(default_factory=dict)
    """Bucket key (layer, category, unit, hour) to count; hours older than the retention are pruned."""
    totals: Mapping[str, int] = field(default_factory=dict)
    """All-time residents' reports per category (never pruned)."""
    chains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each unit's chain of unit ids, national first, as the longest one seen."""
    counted: Mapping[str, int] = field(default_factory=dict)
    """Counted input ids (``r:<report id>``, ``s:<record id>``) to the hour they are kept from."""
    sightings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Report id to its sighting (:meth:`SightingRecord.to_value`), while its count is kept.

    Kept as plain data: a hot cell holds thousands, and only the read-model sync needs them parsed.
    """

    def count(
        self,
        bucket: Bucket,
        value: float,
        chain: Sequence[str],
        *,
        counted_id: str,
        now_hour: int,
        retention_hours: int,
        sighting: Sighting | None = None,
    ) -> Counted | None:
        """This entry with ``value`` counted into ``bucket`` once; None if ``counted_id`` was counted already.

        An id is kept for the retention after it was counted (far beyond the topics' own
        retention), so a redelivery is recognised for as long as it can arrive.
        """
        if counted_id in self.counted:
            return None
        oldest = now_hour - retention_hours
        key = bucket_key(bucket)
        buckets = prune_buckets(add_to_bucket(self.buckets, bucket, value), before_hour=oldest)
        chains = dict(self.chains)
        changed = [key]
        # A statistics record names its unit only: never shorten a chain learnt from a routed report.
        if bucket.unit_id and len(chain) >= len(chains.get(bucket.unit_id, ())):
            if chains.get(bucket.unit_id) != tuple(chain):
                # The unit's chain is new or longer: its other buckets' documents list the units too.
                unit = key.split("|")[2]
                changed = [k for k in buckets if k.split("|")[2] == unit]
            chains[bucket.unit_id] = tuple(chain)
        counted = dict(self.counted)
        sightings = dict(self.sightings)
        if any(h < oldest for h in counted.values()):
            counted = {i: h for i, h in counted.items() if h >= oldest}
            # A sighting is kept while its report's count is.
            sightings = {rid: rec for rid, rec in sightings.items() if f"r:{rid}" in counted}
        counted[counted_id] = max(bucket.hour, now_hour)
        if sighting is not None and bucket.hour >= oldest:
            sightings[sighting.report_id] = SightingRecord.of(sighting, chain).to_value()
        totals = dict(self.totals)
        changed_totals: dict[str, int] = {}
        if bucket.layer is Layer.REPORTS:
            totals[bucket.category] = totals.get(bucket.category, 0) + 1
            changed_totals[bucket.category] = totals[bucket.category]
        entry = replace(self, buckets=buckets, totals=totals, chains=chains, counted=counted, sightings=sightings)
        return Counted(entry, {k: buckets[k] for k in changed if k in buckets}, changed_totals)

    def sighting_list(self, cell: str) -> list[tuple[Sighting, tuple[str, ...]]]:
        """The kept sightings of this cell, each with its unit chain."""
        records = ((rid, SightingRecord.from_value(value)) for rid, value in self.sightings.items())
        return [(rec.sighting(report_id=rid, cell=cell), rec.units) for rid, rec in records]

    def to_value(self) -> dict[str, Any]:
        """The entry as JSON-friendly data (the stream table's value)."""
        return {
            "buckets": dict(self.buckets),
            "totals": dict(self.totals),
            "chains": {u: list(c) for u, c in self.chains.items()},
            "counted": dict(self.counted),
            "sightings": dict(self.sightings),
        }

    @classmethod
    def from_value(cls, value: Mapping[str, Any] | None) -> CellEntry:
        """The inverse of :meth:`to_value`; an empty entry for None or ``{}``."""
        if not value:
            return cls()
        return cls(
            buckets=dict(value.get("buckets", {})),
            totals=dict(value.get("totals", {})),
            chains={u: tuple(c) for u, c in value.get("chains", {}).items()},
            counted=dict(value.get("counted", {})),
            sightings=dict(value.get("sightings", {})),
        )
