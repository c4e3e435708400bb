"""Hourly counts per cell and their roll-ups (pure domain code).

The stream keeps, per hotspot cell, a map from a bucket key (layer, category, unit, hour) to a
count; every window and every coarser resolution or unit is a sum over these buckets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote

import h3

__all__ = ["Layer", "Bucket", "bucket_key", "parse_bucket_key", "add_to_bucket", "prune_buckets", "roll_up"]

NO_UNIT = "-"
"""Unit part of a bucket key for records no unit owns."""


class Layer(StrEnum):
    """Count layers, kept apart: residents' reports and the imported statistics."""

    REPORTS = "reports"
    POLICE_CRIMES = "police_crimes"
    POLICE_OFFENCES = "police_offences"
    SURVEY_SAFETY = "survey_safety"


@dataclass(frozen=True)
class Bucket:
    """One hour of one category of one layer in one cell, for one unit."""

    layer: Layer
    category: str
    unit_id: str | None
    hour: int


def bucket_key(bucket: Bucket) -> str:
    """The bucket's key inside a cell's map (JSON-friendly)."""
    # Category and unit come from outside: percent-encoded so a "|" in them cannot shift the fields.
    category, unit = quote(bucket.category, safe=""), quote(bucket.unit_id or NO_UNIT, safe="")
    return f"{bucket.layer}|{category}|{unit}|{bucket.hour}"


def parse_bucket_key(key: str) -> Bucket:
    """The inverse of :func:`bucket_key`."""
    layer, category, unit, hour = key.split("|")
    unit = unquote(unit)
    return Bucket(Layer(layer), unquote(category), unit_id=None if unit == NO_UNIT else unit, hour=int(hour))


def add_to_bucket(buckets: Mapping[str, float], bucket: Bucket, value: float = 1.0) -> dict[str, float]:
    """A new bucket map with ``value`` added to ``bucket``."""
    out = dict(buckets)
    key = bucket_key(bucket)
    out[key] = out.get(key, 0.0) + value
    return out


def prune_buckets(buckets: Mapping[str, float], *, before_hour: int) -> dict[str, float]:
    """The bucket map without hours older than ``before_hour`` (retention)."""
    return {k: v for k, v in buckets.items() if int(k.rsplit("|", 1)[1]) >= before_hour}


def roll_up(values: Iterable[tuple[str, float]], resolution: int) -> dict[str, float]:
    """Sum values of cells into their parents at ``resolution`` (coarser or equal)."""
    out: dict[str, float] = {}
    for cell, value in values:
        res = h3.get_resolution(cell)
        if resolution > res:
            raise ValueError(f"cannot roll cell of resolution {res} up to finer resolution {resolution}")
        parent = h3.cell_to_parent(cell, resolution) if resolution < res else cell
        out[parent] = out.get(parent, 0.0) + value
    return out
