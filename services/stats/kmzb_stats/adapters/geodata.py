"""Place names and unit territories from the geo-router (its geodata has one home): port, HTTP adapter, fake.

The dashboard runs in worker threads (``run_db``), so the HTTP adapter is synchronous. Answers are
cached: territories change only with a new jurisdiction version, place names of a cell never.
A geo-router that does not answer leaves places unnamed and a unit on the national study area;
the dashboard says which study area it used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

__all__ = ["CellPlace", "Geodata", "HttpGeodata", "StaticGeodata"]

log = logging.getLogger(__name__)

_BATCH = 200


@dataclass(frozen=True, slots=True)
class CellPlace:
    """Where a cell lies, as readers are told."""

    label_pl: str
    label_en: str
    locality: str
    powiat_teryt: str
    powiat_name_pl: str
    voivodeship_name_pl: str
    powiat_population: int | None


class Geodata(Protocol):
    """What stats asks of the geo-router's geodata."""

    def places(self, cells: Sequence[str]) -> dict[str, CellPlace]:
        """Names of the cells that lie in Poland."""
        ...

    def territory(self, unit_id: str) -> list[str] | None:
        """The unit's land as compacted H3 cells; None when unknown or unavailable."""
        ...

    def unit_names(self) -> dict[str, str]:
        """Polish names of the units by id (empty when unavailable)."""
        ...


class StaticGeodata:
    """In-memory geodata for tests and for running without a geo-router."""

    def __init__(
        self,
        places: Mapping[str, CellPlace] | None = None,
        territories: Mapping[str, Iterable[str]] | None = None,
        unit_names: Mapping[str, str] | None = None,
    ) -> None:
        self._places = dict(places or {})
        self._territories = {u: list(c) for u, c in (territories or {}).items()}
        self._unit_names = dict(unit_names or {})

    def places(self, cells: Sequence[str]) -> dict[str, CellPlace]:
        return {c: self._places[c] for c in cells if c in self._places}

    def territory(self, unit_id: str) -> list[str] | None:
        return self._territories.get(unit_id)

    def unit_names(self) -> dict[str, str]:
        return dict(self._unit_names)


class HttpGeodata:
    """The geo-router's /api/v1/cells/places and /api/v1/units/{id}/territory, cached."""

    def __init__(self, base_url: str, *, timeout_s: float = 3.0, territory_ttl_s: float = 3600.0) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._ttl = territory_ttl_s
        self._places: dict[str, CellPlace | None] = {}
        self._territories: dict[str, tuple[float, list[str]]] = {}
        self._names: tuple[float, dict[str, str]] | None = None
        self._lock = threading.Lock()

    def places(self, cells: Sequence[str]) -> dict[str, CellPlace]:
        with self._lock:
            missing = [c for c in dict.fromkeys(cells) if c not in self._places]
        for i in range(0, len(missing), _BATCH):
            batch = missing[i : i + _BATCH]
            try:
                answer = self._client.get("/api/v1/cells/places", params=[("cell", c) for c in batch])
                answer.raise_for_status()
                found = {p["cell"]: p for p in answer.json()["places"]}
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                log.warning("geo-router places unavailable", extra={"error": str(exc)[:200]})
                break
            with self._lock:
                for c in batch:
                    p = found.get(c)
                    self._places[c] = (
                        CellPlace(
                            label_pl=p["label_pl"],
                            label_en=p.get("label_en", p["label_pl"]),
                            locality=p["locality"],
                            powiat_teryt=p["powiat_teryt"],
                            powiat_name_pl=p["powiat_name_pl"],
                            voivodeship_name_pl=p["voivodeship_name_pl"],
                            powiat_population=p.get("powiat_population"),
                        )
                        if p
                        else None
                    )
        with self._lock:
            return {c: p for c in cells if (p := self._places.get(c)) is not None}

    def territory(self, unit_id: str) -> list[str] | None:
        now = time.monotonic()
        with self._lock:
            cached = self._territories.get(unit_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            answer = self._client.get(f"/api/v1/units/{unit_id}/territory")
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
            cells = list(answer.json()["cells"])
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("geo-router territory unavailable", extra={"unit_id": unit_id, "error": str(exc)[:200]})
            return cached[1] if cached else None
        with self._lock:
            self._territories[unit_id] = (now, cells)
        return cells

    def unit_names(self) -> dict[str, str]:
        now = time.monotonic()
        cached = self._names
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            answer = self._client.get("/api/v1/units", params={"limit": 1000})
            answer.raise_for_status()
            names = {u["unit_id"]: u["name_pl"] for u in answer.json()}
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("geo-router units unavailable", extra={"error": str(exc)[:200]})
            return cached[1] if cached else {}
        self._names = (now, names)
        return names
