"""The one retry helper: transient errors are retried until the step succeeds, others propagate."""

import asyncio

import pytest

from kmzb_common.retry import retry


class Flaky:
    """Fails with ``error`` the first ``failures`` calls, then answers ``"done"``."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


def test_a_step_that_fails_with_a_retried_error_is_called_again_until_it_succeeds():
    step = Flaky(5, ConnectionError("store down"))
    assert asyncio.run(retry(step, on=ConnectionError, what="write")) == "done"
    assert step.calls == 6


def test_an_error_it_does_not_retry_propagates_at_once():
    step = Flaky(1, ValueError("a bug"))
    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(retry(step, on=ConnectionError, what="write"))
    assert step.calls == 1


def test_after_the_last_attempt_the_error_propagates():
    step = Flaky(10, ConnectionError("still down"))
    with pytest.raises(ConnectionError):
        asyncio.run(retry(step, on=ConnectionError, what="write", attempts=3))
    assert step.calls == 3
