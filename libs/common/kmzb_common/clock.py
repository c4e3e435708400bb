"""The one wall clock of KMZB: aware datetimes in UTC. Use cases take a ``Clock``; tests pass a fake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "utc_now"]

Clock = Callable[[], datetime]
"""What use cases call for the current time."""


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)
