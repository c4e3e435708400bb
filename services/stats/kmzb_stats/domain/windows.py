"""Time windows over hourly buckets: hourly tumbling, 7-day and 28-day hopping (pure domain code).

Counts are kept per (layer, cell, category, unit, hour) and every window is a sum over hours, so a
window rolls over exactly when the clock passes its end, with nothing to expire but old hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

__all__ = ["Window", "WindowSpec", "WINDOW_SPECS", "hour_of", "hour_start", "window_hours", "previous_windows"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Window(StrEnum):
    """The windows of the dashboard."""

    HOUR = "1h"
    WEEK = "7d"
    FOUR_WEEKS = "28d"


@dataclass(frozen=True)
class WindowSpec:
    """A window's size and hop, in hours (tumbling when they are equal)."""

    size_h: int
    step_h: int


WINDOW_SPECS: dict[Window, WindowSpec] = {
    Window.HOUR: WindowSpec(size_h=1, step_h=1),
    Window.WEEK: WindowSpec(size_h=7 * 24, step_h=24),
    Window.FOUR_WEEKS: WindowSpec(size_h=28 * 24, step_h=24),
}


def hour_of(moment: datetime) -> int:
    """The hour bucket of an aware datetime: whole hours since the Unix epoch (UTC)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return int((moment - _EPOCH) // timedelta(hours=1))


def hour_start(hour: int) -> datetime:
    """The UTC start of an hour bucket."""
    return _EPOCH + timedelta(hours=hour)


def window_hours(window: Window, now: datetime) -> tuple[int, int]:
    """Hours [start, end) of the latest window of its kind that contains ``now``.

    Hopping windows hop at UTC midnight: the 7-day window at noon on a Wednesday covers the
    seven days that end at the next midnight.
    """
    spec = WINDOW_SPECS[window]
    end = (hour_of(now) // spec.step_h + 1) * spec.step_h
    return end - spec.size_h, end


def previous_windows(window: Window, now: datetime, count: int) -> list[tuple[int, int]]:
    """The ``count`` windows of the same size right before the current one, newest first, not overlapping."""
    start, end = window_hours(window, now)
    size = end - start
    return [(start - (i + 1) * size, start - i * size) for i in range(count)]
