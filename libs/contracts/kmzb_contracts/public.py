"""The one public-view rule: which threats are public, for how long, and where they are shown.

Every public output (the notifier's public map, intake's nearby search, Open311 and a report's
follow-up state) asks these functions, so the same threat is shown, hidden and placed alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import h3

from .catalogue import Category
from .cells import PRIVACY_RESOLUTION
from .statuses import FADING_STATUSES, HIDDEN_STATUSES, TaskStatus

__all__ = ["FADE_AFTER", "FEED_MAX_SPAN", "PublicLocation", "is_public", "public_location"]

FADE_AFTER = timedelta(days=30)
"""How long a fading status (Niepotwierdzone) stays public after the change."""

FEED_MAX_SPAN = (4.0, 2.5)
"""The largest box (degrees of longitude, latitude) an alert feed covers: about a voivodeship
(mazowieckie, the largest, spans ~3.9° by ~2.5°). The notifier refuses larger boxes; the map offers
its subscription link only for views within it."""


@dataclass(frozen=True, slots=True)
class PublicLocation:
    """Where a public output shows a threat."""

    lat: float
    lon: float
    snapped: bool


def public_location(category: Category | None, *, lat: float, lon: float) -> PublicLocation:
    """The place shown publicly: privacy categories (and unknown ones) at the centre of their H3 cell.

    Rounded to 6 decimals (~0.1 m), so every output prints the same numbers.
    """
    snapped = category is None or category.privacy
    if snapped:
        lat, lon = h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, PRIVACY_RESOLUTION))
    return PublicLocation(lat=round(float(lat), 6), lon=round(float(lon), 6), snapped=snapped)


def is_public(
    status: TaskStatus, *, status_changed_at: datetime, now: datetime, fade_after: timedelta = FADE_AFTER
) -> bool:
    """Hidden statuses never are; fading ones only within ``fade_after`` of the change."""
    if status in HIDDEN_STATUSES:
        return False
    if status in FADING_STATUSES:
        return now - status_changed_at < fade_after
    return True
