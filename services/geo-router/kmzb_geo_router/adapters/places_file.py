"""The packaged gazetteer file (places_pl.tsv.gz, built by tools/build_places.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from ..domain.places import PlaceIndex, parse_places
from .jurisdiction_files import packaged

__all__ = ["load_places"]


def load_places(path: str | Path | None = None) -> PlaceIndex:
    """The place index of a gazetteer file (gzip TSV); the packaged one by default."""
    data = Path(path or packaged("places_pl.tsv.gz")).read_bytes()
    return parse_places(gzip.decompress(data).decode("utf-8"))
