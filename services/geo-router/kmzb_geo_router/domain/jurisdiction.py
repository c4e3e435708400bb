"""Which police unit owns a place: units, their contacts and an H3 cell index (pure domain code).

Border rule (documented, deterministic): a point belongs to the unit that owns the H3 cell containing
it. At resolution 7 (edge about 1.2 km) a cell belongs to the gmina polygon containing the cell's centre
(the smaller polygon where two overlap, ties by shape id), and so to that gmina's powiat command. All
points of one cell therefore go to the same unit, whichever side of a drawn border they lie on.
Operator units (komisariaty, beats) own resolution-9 cells (edge about 170 m) by the same centre rule,
the deepest unit winning where operator areas nest, ties by unit id; an operator unit applies only
where its chain contains the powiat-level owner of the place.

Coast and land-border rule: a point outside every land cell but within ``sea_rings`` rings (2, about
4 km) of one, and not in a neighbour country, goes to the unit of the nearest land cell (ties: smallest
unit id). Anything further is outside the jurisdiction: an explicit unrouted outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import h3

from kmzb_contracts import DEDUP_RESOLUTION, HOTSPOT_RESOLUTION, ROUTING_RESOLUTION, H3Cells, UnitRef, UnroutedReason

__all__ = [
    "CellResolutions",
    "Jurisdiction",
    "JurisdictionError",
    "RoutingDecision",
    "Unit",
    "UnitType",
    "parse_operator_units",
]

INDEX_RESOLUTION = ROUTING_RESOLUTION
"""Resolution of the powiat-level cell index (edge about 1.2 km)."""
OPERATOR_RESOLUTION = 9
"""Resolution of operator-supplied areas such as beats (edge about 170 m)."""

NATIONAL_ID = "KGP"
WARSAW_TERYT = "1465"
DEFAULT_CONTACT = "Koordynator KMZB"
TRAFFIC_CONTACT = "Wydział Ruchu Drogowego"


class JurisdictionError(ValueError):
    """A jurisdiction index or operator file that cannot be used."""


class UnitType(StrEnum):
    """Police unit types, national first."""

    KGP = "KGP"
    KWP = "KWP"
    KSP = "KSP"
    KMP = "KMP"
    KPP = "KPP"
    KRP = "KRP"
    KOMISARIAT = "KP"
    POSTERUNEK = "PP"
    REJON_DZIELNICOWEGO = "RD"


OPERATOR_TYPES = frozenset({UnitType.KRP, UnitType.KOMISARIAT, UnitType.POSTERUNEK, UnitType.REJON_DZIELNICOWEGO})
COMMAND_TYPES = frozenset({UnitType.KWP, UnitType.KSP, UnitType.KMP, UnitType.KPP, UnitType.KRP})


@dataclass(frozen=True, slots=True)
class Unit:
    """A police unit: stable id, Polish name, type, parent, TERYT area code and contacts per category group."""

    unit_id: str
    name_pl: str
    type: UnitType
    parent: str | None
    teryt: str | None = None
    contacts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def ref(self) -> UnitRef:
        """The unit as it appears in a routing chain."""
        return UnitRef(unit_id=self.unit_id, name_pl=self.name_pl, type=self.type.value)

    def recipients(self, group: str) -> tuple[str, ...]:
        """Who in the unit receives a report of this category group (FixMyStreet's contacts)."""
        return self.contacts.get(group) or self.contacts.get("*", (DEFAULT_CONTACT,))


def _command_contacts() -> dict[str, tuple[str, ...]]:
    # Road threats also go to the traffic department (KGP guidelines: verification by traffic police).
    return {"*": (DEFAULT_CONTACT,), "drogowe": (DEFAULT_CONTACT, TRAFFIC_CONTACT)}


@dataclass(frozen=True, slots=True)
class CellResolutions:
    """H3 resolutions of the cells computed for each report."""

    routing: int = INDEX_RESOLUTION
    dedup: int = DEDUP_RESOLUTION
    hotspot: int = HOTSPOT_RESOLUTION

    def cells(self, *, lat: float, lon: float) -> H3Cells:
        """The report's cells at every resolution used downstream."""
        return H3Cells(
            routing=h3.latlng_to_cell(lat, lon, self.routing),
            dedup=h3.latlng_to_cell(lat, lon, self.dedup),
            hotspot=h3.latlng_to_cell(lat, lon, self.hotspot),
        )


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """The owning unit's chain (national first) with the place's TERYT codes, or why no unit owns it."""

    chain: tuple[UnitRef, ...]
    unrouted_reason: UnroutedReason | None = None
    powiat_teryt: str | None = None
    voivodeship_teryt: str | None = None
    offshore: bool = False

    @property
    def unit_id(self) -> str | None:
        """The most specific owning unit."""
        return self.chain[-1].unit_id if self.chain else None


class _CompactIndex:
    """Compacted H3 cells mapped to values; a lookup walks a cell's parents (at most 16 dict hits)."""

    def __init__(self, resolution: int, cells: Mapping[str, Any]) -> None:
        self.resolution = resolution
        self._cells = {h3.str_to_int(c): v for c, v in cells.items()}
        self._resolutions = sorted({h3.get_resolution(c) for c in cells}, reverse=True)

    def get(self, lat: float, lon: float) -> Any:
        cell = h3.latlng_to_cell(lat, lon, self.resolution)
        ci = h3.str_to_int(cell)
        for res in self._resolutions:
            value = self._cells.get(ci if res == self.resolution else h3.str_to_int(h3.cell_to_parent(cell, res)))
            if value is not None:
                return value
        return None

    def __len__(self) -> int:
        return len(self._cells)


def _powiat_unit(teryt: str, name: str, *, ksp_powiats: set[str]) -> Unit:
    city = int(teryt[2:]) >= 61
    kind = UnitType.KMP if city else UnitType.KPP
    where = name if city else name[:1].lower() + name[1:]
    label = "Komenda Miejska Policji" if city else "Komenda Powiatowa Policji"
    parent = "KSP" if teryt in ksp_powiats else f"KWP-{teryt[:2]}"
    return Unit(
        unit_id=f"{kind.value}-{teryt}",
        name_pl=f"{label} ({where})",
        type=kind,
        parent=parent,
        teryt=teryt,
        contacts=_command_contacts(),
    )


class Jurisdiction:
    """Units and the cell indexes that map a point to its owning unit (see the module docstring for the rules)."""

    def __init__(self, raw: Mapping[str, Any], operator_units: Iterable[tuple[Unit, set[str]]] = ()) -> None:
        if raw.get("format") != "kmzb-jurisdiction/1":
            raise JurisdictionError(f"unknown jurisdiction format {raw.get('format')!r}")
        try:
            self.version: str = raw["version"]
            self._build(raw)
        except (KeyError, TypeError, ValueError, h3.H3BaseException) as exc:
            raise JurisdictionError(f"invalid jurisdiction index: {exc!r}") from exc
        self._add_operator_units(list(operator_units))

    def _build(self, raw: Mapping[str, Any]) -> None:
        ksp_powiats = set(raw["ksp_powiats"])
        self._units: dict[str, Unit] = {
            NATIONAL_ID: Unit(NATIONAL_ID, "Komenda Główna Policji", UnitType.KGP, None, contacts=_command_contacts())
        }
        for code, name in raw["voivodeships"].items():
            uid = f"KWP-{code}"
            self._units[uid] = Unit(uid, name, UnitType.KWP, NATIONAL_ID, teryt=code, contacts=_command_contacts())
        self._units["KSP"] = Unit(
            "KSP", "Komenda Stołeczna Policji", UnitType.KSP, NATIONAL_ID, WARSAW_TERYT, _command_contacts()
        )
        land: dict[str, str] = {}
        buffer: dict[str, str] = {}
        self._powiat_names: dict[str, str] = {}
        self._powiat_owner: dict[str, str] = {}
        self._powiat_cells: dict[str, list[str]] = {}
        self._operator_cells: dict[str, list[str]] = {}
        for p in raw["powiats"]:
            teryt = p["teryt"]
            self._powiat_names[teryt] = p["name_pl"]
            if teryt == WARSAW_TERYT:
                owner = "KSP"  # Warsaw has no city command: KSP with its district commands (KRP)
            else:
                unit = _powiat_unit(teryt, p["name_pl"], ksp_powiats=ksp_powiats)
                self._units[unit.unit_id] = unit
                owner = unit.unit_id
            self._powiat_owner[teryt] = owner
            self._powiat_cells[teryt] = list(p["cells"])
            land.update(dict.fromkeys(p["cells"], teryt))
            buffer.update(dict.fromkeys(p["buffer_cells"], teryt))
        resolution = int(raw["resolution"])
        self._land = _CompactIndex(resolution, land)
        self._buffer = _CompactIndex(resolution, buffer)
        self._operator = _CompactIndex(OPERATOR_RESOLUTION, {})
        for unit in self._units.values():
            if unit.parent is not None and unit.parent not in self._units:
                raise JurisdictionError(f"unit {unit.unit_id} has unknown parent {unit.parent}")

    def _add_operator_units(self, operator_units: list[tuple[Unit, set[str]]]) -> None:
        for unit, _ in operator_units:
            if unit.unit_id in self._units:
                raise JurisdictionError(f"operator unit {unit.unit_id} duplicates an existing unit")
            self._units[unit.unit_id] = unit
        for unit, _ in operator_units:
            if unit.parent not in self._units:
                raise JurisdictionError(f"operator unit {unit.unit_id} has unknown parent {unit.parent}")
            self._ids_chain(unit.unit_id)  # raises on cycles
        best: dict[str, tuple[int, str]] = {}
        for unit, cells in operator_units:
            self._operator_cells[unit.unit_id] = sorted(cells)
            depth = len(self._ids_chain(unit.unit_id))
            for cell in cells:
                # Deepest unit wins (a beat inside its komisariat); ties by unit id.
                if cell not in best or (-depth, unit.unit_id) < (-best[cell][0], best[cell][1]):
                    best[cell] = (depth, unit.unit_id)
        self._operator = _CompactIndex(OPERATOR_RESOLUTION, {c: u for c, (_, u) in best.items()})
        if operator_units:
            self.version = f"{self.version}+ops{len(operator_units)}"

    def _ids_chain(self, unit_id: str) -> list[str]:
        out: list[str] = []
        current: str | None = unit_id
        while current is not None:
            if current in out or len(out) > 16:
                raise JurisdictionError(f"unit {unit_id} has a cyclic parent chain")
            out.append(current)
            current = self._units[current].parent
        return out[::-1]

    def units(self) -> list[Unit]:
        """All units, sorted by id."""
        return sorted(self._units.values(), key=lambda u: u.unit_id)

    def unit(self, unit_id: str) -> Unit | None:
        """The unit with this id, or None."""
        return self._units.get(unit_id)

    def search(self, text: str, *, limit: int = 50) -> list[Unit]:
        """Units whose id, name or TERYT code contains ``text`` (case-insensitive), sorted by id."""
        needle = text.casefold()
        hits = [
            u
            for u in self.units()
            if needle in u.unit_id.casefold() or needle in u.name_pl.casefold() or needle == (u.teryt or "")
        ]
        return hits[:limit]

    def chain(self, unit_id: str) -> tuple[UnitRef, ...]:
        """The unit's chain from the national headquarters down to the unit."""
        return tuple(self._units[u].ref() for u in self._ids_chain(unit_id))

    def route(self, *, lat: float, lon: float) -> RoutingDecision:
        """The owning unit of a point, or an explicit reason why none owns it."""
        teryt = self._land.get(lat, lon)
        offshore = False
        if teryt is None:
            teryt = self._buffer.get(lat, lon)
            offshore = teryt is not None
        if teryt is None:
            return RoutingDecision(chain=(), unrouted_reason=UnroutedReason.OUTSIDE_JURISDICTION)
        owner = self._powiat_owner.get(teryt)
        if owner is None:
            return RoutingDecision(chain=(), unrouted_reason=UnroutedReason.NO_UNIT_FOR_CELL, powiat_teryt=teryt)
        ids = self._ids_chain(owner)
        if not offshore:
            fine = self._operator.get(lat, lon)
            if fine is not None:
                fine_ids = self._ids_chain(fine)
                if owner in fine_ids:
                    ids = fine_ids
        return RoutingDecision(
            chain=tuple(self._units[u].ref() for u in ids),
            powiat_teryt=teryt,
            voivodeship_teryt=teryt[:2],
            offshore=offshore,
        )

    def powiat_name(self, teryt: str) -> str | None:
        """Polish name of a powiat by TERYT code."""
        return self._powiat_names.get(teryt)

    def territory(self, unit_id: str) -> list[str] | None:
        """The compacted H3 cells of the land a unit covers (its powiats, or an operator unit's own cells).

        None for an unknown unit. The coastal buffer cells are left out: they are a routing tolerance,
        not the unit's territory.
        """
        if unit_id not in self._units:
            return None
        if unit_id in self._operator_cells:
            return list(self._operator_cells[unit_id])
        cells: list[str] = []
        for teryt, owner in sorted(self._powiat_owner.items()):
            if unit_id in self._ids_chain(owner):
                cells.extend(self._powiat_cells[teryt])
        return cells

    def cell_count(self) -> int:
        """Entries in the compacted indexes (a size measure)."""
        return len(self._land) + len(self._buffer) + len(self._operator)


def _geometry_cells(geometry: Mapping[str, Any]) -> set[str]:
    try:
        return set(h3.geo_to_cells(geometry, OPERATOR_RESOLUTION))
    except (h3.H3BaseException, ValueError, TypeError, KeyError) as exc:
        raise JurisdictionError(f"invalid geometry: {exc!r}") from exc


def parse_operator_units(doc: Mapping[str, Any]) -> list[tuple[Unit, set[str]]]:
    """Komisariaty, posterunki, KRP and beats from an operator GeoJSON FeatureCollection."""
    if doc.get("type") != "FeatureCollection":
        raise JurisdictionError("operator units must be a GeoJSON FeatureCollection")
    out: list[tuple[Unit, set[str]]] = []
    for i, feature in enumerate(doc.get("features", [])):
        props = feature.get("properties") or {}
        try:
            kind = UnitType(props["type"])
            unit = Unit(
                unit_id=str(props["unit_id"]),
                name_pl=str(props["name_pl"]),
                type=kind,
                parent=str(props["parent"]),
                teryt=props.get("teryt"),
                contacts={g: tuple(v) for g, v in (props.get("contacts") or {"*": [DEFAULT_CONTACT]}).items()},
            )
        except (KeyError, ValueError) as exc:
            raise JurisdictionError(f"feature {i}: missing or invalid property: {exc}") from exc
        if kind not in OPERATOR_TYPES:
            raise JurisdictionError(f"feature {i}: type {kind} cannot come from operator data")
        cells = _geometry_cells(feature.get("geometry") or {})
        if not cells:
            raise JurisdictionError(f"feature {i} ({unit.unit_id}): geometry covers no cell")
        out.append((unit, cells))
    return out
