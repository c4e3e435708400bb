"""The Atom alert feed of public threats, written by feedgen (with GeoRSS points) from public views only.

Entries are built from what ``domain.public.public_threat`` allows (category, status, counts, dates and
the public, possibly snapped, place): no description, no report ids, no reporter data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator

__all__ = ["threats_atom"]

_PL_DATE = "%d.%m.%Y"


def _pl_number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _summary(threat: dict[str, Any]) -> str:
    where = f"{_pl_number(threat['lat'], 5)}, {_pl_number(threat['lon'], 5)}"
    place = f"Miejsce przybliżone (środek obszaru): {where}." if threat["location_snapped"] else f"Miejsce: {where}."
    return (
        f"Status: {threat['status_label_pl']} (od {threat['updated_at'].strftime(_PL_DATE)}). "
        f"Zgłoszono {threat['created_at'].strftime(_PL_DATE)}; zgłoszeń: {threat['report_count']}, "
        f"potwierdzeń „+1”: {threat['confirmation_count']}. {place}"
    )


def threats_atom(
    threats: Sequence[dict[str, Any]],
    *,
    title: str,
    self_url: str,
    site_url: str,
    generated_at: datetime,
) -> bytes:
    """The feed document (UTF-8 XML); ``self_url`` is also its id, ``site_url`` the public pages' base."""
    site = site_url.rstrip("/")
    fg = FeedGenerator()
    fg.load_extension("geo")
    fg.id(self_url)
    fg.title(title)
    fg.subtitle(
        "Zagrożenia z Krajowej Mapy Zagrożeń Bezpieczeństwa: kategoria, status i przybliżone miejsce. "
        "W nagłych wypadkach dzwoń pod 112."
    )
    fg.author({"name": "Krajowa Mapa Zagrożeń Bezpieczeństwa"})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=f"{site}/mapa", rel="alternate", type="text/html")
    fg.language("pl")
    fg.updated(max((t["updated_at"] for t in threats), default=generated_at))
    for threat in threats:
        entry = fg.add_entry(order="append")
        entry.id(f"urn:uuid:{threat['threat_id']}")
        entry.title(f"{threat['category_name_pl']}: {threat['status_label_pl']}")
        entry.summary(_summary(threat))
        view = urlencode({"lat": threat["lat"], "lon": threat["lon"], "zoom": 16})
        entry.link(href=f"{site}/mapa?{view}", rel="alternate", type="text/html")
        entry.category(term=threat["category"], label=threat["category_name_pl"])
        entry.published(threat["created_at"])
        entry.updated(threat["updated_at"])
        entry.geo.point(f"{threat['lat']} {threat['lon']}")
    return fg.atom_str(pretty=True)
