"""The jurisdiction's files: the packaged index and operator GeoJSON, published index bytes, the version in force.

The domain (``domain.jurisdiction``) builds the cell index and the unit model from decoded
documents; reading, gunzipping and swapping versions happen here.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..domain.jurisdiction import Jurisdiction, JurisdictionError, Unit, parse_operator_units

__all__ = ["JurisdictionHolder", "load_jurisdiction", "load_operator_units", "packaged", "read_index"]


def load_operator_units(path: str | Path) -> list[tuple[Unit, set[str]]]:
    """Parse an operator GeoJSON file (see parse_operator_units)."""
    return parse_operator_units(json.loads(Path(path).read_text(encoding="utf-8")))


def read_index(data: bytes) -> dict[str, Any]:
    """Decode a jurisdiction index file (gzip-compressed or plain JSON)."""
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return json.loads(data)
    except (OSError, ValueError) as exc:
        raise JurisdictionError(f"unreadable jurisdiction index: {exc}") from exc


def packaged(name: str) -> Path:
    """Path of a data file shipped with the package."""
    return Path(str(resources.files("kmzb_geo_router") / "data" / name))


def load_jurisdiction(path: str | Path | None = None, *, operator_path: str | Path | None = None) -> Jurisdiction:
    """Load a jurisdiction index (the packaged Polish one by default) and optional operator units."""
    index_path = Path(path) if path else packaged("jurisdiction_pl.json.gz")
    raw = read_index(index_path.read_bytes())
    ops = load_operator_units(operator_path) if operator_path else []
    return Jurisdiction(raw, ops)


class JurisdictionHolder:
    """The jurisdiction in force; a new version is validated in full, then swapped in with one assignment."""

    def __init__(self, initial: Jurisdiction, *, operator_units: list[tuple[Unit, set[str]]]) -> None:
        self._current = initial
        self._operator_units = operator_units

    def current(self) -> Jurisdiction:
        """The jurisdiction in force."""
        return self._current

    def build(self, data: bytes) -> Jurisdiction:
        """Validate index bytes with this holder's operator units; raises JurisdictionError."""
        return Jurisdiction(read_index(data), self._operator_units)

    def accept(self, data: bytes) -> bool:
        """Swap in the index if it is valid and a different version; whether it was swapped in."""
        candidate = self.build(data)
        if candidate.version == self._current.version:
            return False
        self._current = candidate
        return True
