"""The packaged gazetteer files: places_pl.tsv.gz (place search, tools/build_places.py) and places_pl.json.gz
(place names of cells, tools/build_gazetteer.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ..domain.gazetteer import Gazetteer
from ..domain.places import PlaceIndex, parse_places
from .jurisdiction_files import packaged

__all__ = ["load_places", "load_gazetteer"]


def load_places(path: str | Path | None = None) -> PlaceIndex:
    """The place index of a gazetteer file (gzip TSV); the packaged one by default."""
    data = Path(path or packaged("places_pl.tsv.gz")).read_bytes()
    return parse_places(gzip.decompress(data).decode("utf-8"))


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer of cell place names (gzip JSON); the packaged one by default."""
    data = Path(path or packaged("places_pl.json.gz")).read_bytes()
    return Gazetteer(json.loads(gzip.decompress(data)))
