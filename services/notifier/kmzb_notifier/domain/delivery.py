"""Webhook delivery rules (pure domain code): when to retry and when to give up."""

from __future__ import annotations

from datetime import timedelta

__all__ = ["retry_delay"]


def retry_delay(attempts: int, *, base_s: float, max_s: float) -> timedelta:
    """Exponential backoff after ``attempts`` failed attempts: base, 2·base, 4·base, ... capped."""
    return timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempts - 1)))
