"""The one retry helper: exponential backoff with jitter and a cap, from stamina.

Every "wait until the store / broker is back" loop goes through ``retry``, so the policy is in
one place and tests switch the backoff off once (``stamina.set_testing``, see the root conftest).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import stamina

__all__ = ["retry"]

log = logging.getLogger(__name__)

T = TypeVar("T")


async def retry(
    step: Callable[[], Awaitable[T]],
    *,
    on: type[BaseException] | tuple[type[BaseException], ...],
    what: str,
    attempts: int | None = None,
    wait_initial_s: float = 0.1,
    wait_max_s: float = 10.0,
) -> T:
    """``await step()`` until it returns, retrying ``on`` errors with capped backoff (forever by default).

    Other errors, and the last ``on`` error once ``attempts`` are used up, propagate. Each retry is
    logged as a warning naming ``what`` was retried.
    """

    def should_retry(exc: Exception) -> bool:
        if not isinstance(exc, on):
            return False
        log.warning(f"{what} failed, retrying", extra={"error": str(exc)[:300]})
        return True

    async for attempt in stamina.retry_context(
        on=should_retry, attempts=attempts, timeout=None, wait_initial=wait_initial_s, wait_max=wait_max_s
    ):
        with attempt:
            return await step()
    raise AssertionError("stamina ended the retries without an outcome")
