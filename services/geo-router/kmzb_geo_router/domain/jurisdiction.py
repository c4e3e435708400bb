"""Which police unit owns a place: an H3 cell index over the unit areas (pure domain code)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import h3

from kmzb_contracts import H3Cells, UnitRef, UnroutedReason

__all__ = ["CellResolutions", "Jurisdiction", "RoutingDecision", "load_jurisdiction"]

INDEX_RESOLUTION = 7
"""Resolution of the cell->unit index (edge about 1.2 km)."""

_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class CellResolutions:
    """H3 resolutions of the cells computed for each report."""

    routing: int = INDEX_RESOLUTION
    dedup: int = 9
    hotspot: int = 8

    def cells(self, *, lat: float, lon: float) -> H3Cells:
        """The report's cells at every resolution used downstream."""
        return H3Cells(
            routing=h3.latlng_to_cell(lat, lon, self.routing),
            dedup=h3.latlng_to_cell(lat, lon, self.dedup),
            hotspot=h3.latlng_to_cell(lat, lon, self.hotspot),
        )


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """The owning unit's chain (national first), or the reason no unit owns the place."""

    chain: tuple[UnitRef, ...]
    unrouted_reason: UnroutedReason | None = None

    @property
    def unit_id(self) -> str | None:
        """The most specific owning unit."""
        return self.chain[-1].unit_id if self.chain else None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class Jurisdiction:
    """Units and the cell index that maps a point to its owning unit.

    Border rule: a point belongs to the unit whose index cell contains it, so two points in
    one cell always go to the same unit; where city areas overlap, the cell goes to the city
    whose centre is nearest the cell centre, ties broken by unit id.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw["version"]
        national = raw["national"]
        self._units: dict[str, UnitRef] = {national["unit_id"]: UnitRef(**national)}
        self._parent: dict[str, str | None] = {national["unit_id"]: None}
        self._seats: list[tuple[str, float, float]] = []
        for u in raw["voivodeship_commands"]:
            self._units[u["unit_id"]] = UnitRef(unit_id=u["unit_id"], name_pl=u["name_pl"], type=u["type"])
            self._parent[u["unit_id"]] = national["unit_id"]
            self._seats.append((u["unit_id"], u["lat"], u["lon"]))
        self._bounds = raw["bounds"]
        self._cell_to_unit: dict[str, str] = {}
        best: dict[str, tuple[float, str]] = {}
        for u in raw["city_commands"]:
            self._units[u["unit_id"]] = UnitRef(unit_id=u["unit_id"], name_pl=u["name_pl"], type=u["type"])
            self._parent[u["unit_id"]] = u["parent"]
            centre = h3.latlng_to_cell(u["lat"], u["lon"], INDEX_RESOLUTION)
            k = math.ceil(u["radius_km"] / h3.average_hexagon_edge_length(INDEX_RESOLUTION, unit="km")) + 1
            for cell in h3.grid_disk(centre, k):
                clat, clon = h3.cell_to_latlng(cell)
                d = _distance_km(clat, clon, u["lat"], u["lon"])
                if d > u["radius_km"]:
                    continue
                if cell not in best or (d, u["unit_id"]) < best[cell]:
                    best[cell] = (d, u["unit_id"])
        self._cell_to_unit = {cell: unit for cell, (_, unit) in best.items()}

    def units(self) -> list[UnitRef]:
        """All units, sorted by id."""
        return sorted(self._units.values(), key=lambda u: u.unit_id)

    def unit(self, unit_id: str) -> UnitRef | None:
        """The unit with this id, or None."""
        return self._units.get(unit_id)

    def chain(self, unit_id: str) -> tuple[UnitRef, ...]:
        """The unit's chain from the national headquarters down to the unit."""
        out: list[UnitRef] = []
        current: str | None = unit_id
        while current is not None:
            out.append(self._units[current])
            current = self._parent[current]
        return tuple(reversed(out))

    def _inside(self, lat: float, lon: float) -> bool:
        b = self._bounds
        return b["lat_min"] <= lat <= b["lat_max"] and b["lon_min"] <= lon <= b["lon_max"]

    def route(self, *, lat: float, lon: float) -> RoutingDecision:
        """The owning unit of a point, or an explicit reason why none owns it."""
        if not self._inside(lat, lon):
            return RoutingDecision(chain=(), unrouted_reason=UnroutedReason.OUTSIDE_JURISDICTION)
        cell = h3.latlng_to_cell(lat, lon, INDEX_RESOLUTION)
        unit_id = self._cell_to_unit.get(cell)
        if unit_id is None:
            clat, clon = h3.cell_to_latlng(cell)
            unit_id = min(self._seats, key=lambda s: (_distance_km(clat, clon, s[1], s[2]), s[0]))[0]
        return RoutingDecision(chain=self.chain(unit_id))


def load_jurisdiction(path: str | None = None) -> Jurisdiction:
    """Load a jurisdiction table (the packaged placeholder by default)."""
    if path:
        raw = Path(path).read_text(encoding="utf-8")
    else:
        pkg = resources.files("kmzb_geo_router") / "data" / "placeholder_jurisdiction.json"
        raw = pkg.read_text(encoding="utf-8")
    return Jurisdiction(json.loads(raw))
