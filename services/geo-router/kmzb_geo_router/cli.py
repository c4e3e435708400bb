"""Geo-router admin CLI: look up a point, list or search units, publish a new jurisdiction index.

python -m kmzb_geo_router.cli lookup 50.0614 19.9366
python -m kmzb_geo_router.cli units [--search kraków]
python -m kmzb_geo_router.cli publish path/to/index.json.gz   # every running worker swaps it in
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from .adapters.index_topic import publish_index
from .bootstrap import load_holder
from .domain.jurisdiction import JurisdictionError
from .settings import GeoRouterSettings


def main(argv: list[str] | None = None) -> int:
    """Run one admin command; the exit code is 0 on success, 1 on a refused input."""
    parser = argparse.ArgumentParser(prog="python -m kmzb_geo_router.cli", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_lookup = sub.add_parser("lookup", help="the unit chain that owns a point")
    p_lookup.add_argument("lat", type=float)
    p_lookup.add_argument("lon", type=float)
    p_units = sub.add_parser("units", help="list or search units")
    p_units.add_argument("--search", default=None)
    p_pub = sub.add_parser("publish", help="validate and publish a jurisdiction index version")
    p_pub.add_argument("path", type=Path)
    args = parser.parse_args(argv)

    settings = GeoRouterSettings()
    holder = load_holder(settings)
    j = holder.current()
    if args.command == "lookup":
        d = j.route(lat=args.lat, lon=args.lon)
        if d.unit_id is None:
            print(f"poza jurysdykcją / unrouted: {d.unrouted_reason}", file=sys.stderr)
            return 1
        out = {
            "unit_id": d.unit_id,
            "unit_chain": [u.unit_id for u in d.chain],
            "powiat_teryt": d.powiat_teryt,
            "voivodeship_teryt": d.voivodeship_teryt,
            "offshore": d.offshore,
            "jurisdiction_version": j.version,
        }
        print(json.dumps(out, ensure_ascii=False))
    elif args.command == "units":
        for u in j.search(args.search, limit=10_000) if args.search else j.units():
            print(f"{u.unit_id}\t{u.type.value}\t{u.parent or '-'}\t{u.teryt or '-'}\t{u.name_pl}")
    else:
        data = args.path.read_bytes()
        try:
            candidate = holder.build(data)
        except JurisdictionError as exc:
            print(f"nieprawidłowy indeks / invalid index: {exc}", file=sys.stderr)
            return 1
        asyncio.run(publish_index(settings, settings.index_topic, data))
        print(f"published {candidate.version} to {settings.index_topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
