"""Hotspot counts and their GeoJSON form (pure domain code)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import h3

__all__ = ["hexagon_geometry", "hexagon_feature", "feature_collection"]


def hexagon_geometry(cell: str) -> dict[str, Any]:
    """An RFC 7946 Polygon of the cell: lon, lat order, closed ring, counter-clockwise."""
    ring = [[round(lng, 7), round(lat, 7)] for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def hexagon_feature(cell: str, counts: Mapping[str, int]) -> dict[str, Any]:
    """An RFC 7946 Feature: the cell's hexagon with its counts per category."""
    return {
        "type": "Feature",
        "id": cell,
        "geometry": hexagon_geometry(cell),
        "properties": {
            "cell": cell,
            "resolution": h3.get_resolution(cell),
            "counts": dict(sorted(counts.items())),
            "total": sum(counts.values()),
        },
    }


def feature_collection(cells: Iterable[tuple[str, Mapping[str, int]]]) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of hexagons."""
    return {"type": "FeatureCollection", "features": [hexagon_feature(c, counts) for c, counts in cells]}
