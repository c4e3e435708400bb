"""The area of a public alert feed: a bounding box no larger than a voivodeship, or a police unit's land.

An alert feed is for a place one lives in, not the country: a box larger than a voivodeship
(``kmzb_contracts.FEED_MAX_SPAN``), or the national headquarters (KGP), is refused with a reason, so a
reader asks for a smaller area rather than getting thousands of entries.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kmzb_contracts import FEED_MAX_SPAN

from .errors import NotifierError

__all__ = ["MAX_SPAN_LAT", "MAX_SPAN_LON", "FeedArea", "InvalidFeedArea", "feed_area"]

MAX_SPAN_LON, MAX_SPAN_LAT = FEED_MAX_SPAN

_UNIT = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
_NATIONAL_UNITS = frozenset({"KGP"})


class InvalidFeedArea(NotifierError, ValueError):
    """A feed area the public feed refuses, with its reason in Polish and English."""

    def __init__(self, code: str, message_pl: str, message_en: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_pl = message_pl
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class FeedArea:
    """Either a box (min_lon, min_lat, max_lon, max_lat) or the land of one police unit and its subunits."""

    bbox: tuple[float, float, float, float] | None = None
    unit_id: str | None = None

    @property
    def label_pl(self) -> str:
        """How the feed's title names the area, with Polish number formats ("19,80–20,10° E")."""
        if self.unit_id is not None:
            return f"teren jednostki {self.unit_id}"
        assert self.bbox is not None
        w, s, e, n = (_pl(v, 2) for v in self.bbox)
        return f"obszar {s}–{n}° N, {w}–{e}° E"


def _pl(value: float, digits: int | None = None) -> str:
    """A number with a decimal comma, as Polish text writes it."""
    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return text.replace(".", ",")


def _malformed() -> InvalidFeedArea:
    return InvalidFeedArea(
        "invalid_bbox",
        "Nieprawidłowy obszar: podaj bbox=minLon,minLat,maxLon,maxLat (stopnie WGS84, najpierw mniejsze wartości).",
        "Invalid area: give bbox=minLon,minLat,maxLon,maxLat (WGS84 degrees, smaller values first).",
    )


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        raise _malformed() from None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise _malformed()
    min_lon, min_lat, max_lon, max_lat = parts
    inside = -180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90
    if not inside:
        raise _malformed()
    if max_lon - min_lon > MAX_SPAN_LON or max_lat - min_lat > MAX_SPAN_LAT:
        raise InvalidFeedArea(
            "area_too_large",
            f"Obszar jest większy niż województwo (najwyżej {_pl(MAX_SPAN_LON)}° długości i {_pl(MAX_SPAN_LAT)}° "
            "szerokości geograficznej). Przybliż mapę albo wybierz jednostkę Policji.",
            f"The area is larger than a voivodeship (at most {MAX_SPAN_LON:g}° of longitude and "
            f"{MAX_SPAN_LAT:g}° of latitude). Zoom in or choose a police unit.",
        )
    return min_lon, min_lat, max_lon, max_lat


def feed_area(*, bbox: str | None, unit: str | None) -> FeedArea:
    """The area asked for by exactly one of ``bbox`` ("minLon,minLat,maxLon,maxLat") and ``unit``."""
    if (bbox is None) == (unit is None):
        raise InvalidFeedArea(
            "area_required",
            "Podaj obszar kanału: bbox=minLon,minLat,maxLon,maxLat albo unit=identyfikator jednostki (np. KMP-1261).",
            "Give the feed's area: bbox=minLon,minLat,maxLon,maxLat or unit=a unit id (e.g. KMP-1261).",
        )
    if unit is not None:
        if not _UNIT.match(unit):
            raise InvalidFeedArea(
                "invalid_unit",
                "Nieprawidłowy identyfikator jednostki (np. KMP-1261, KPP-1219).",
                "Invalid unit id (e.g. KMP-1261, KPP-1219).",
            )
        if unit in _NATIONAL_UNITS:
            raise InvalidFeedArea(
                "area_too_large",
                "Kanał obejmuje najwyżej województwo: wybierz komendę wojewódzką, miejską lub powiatową.",
                "A feed covers at most a voivodeship: choose a voivodeship, city or county command.",
            )
        return FeedArea(unit_id=unit)
    assert bbox is not None
    return FeedArea(bbox=_parse_bbox(bbox))
