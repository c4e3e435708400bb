"""Settings for every test of the repository."""

import pytest
import stamina


@pytest.fixture(autouse=True, scope="session")
def _retries_without_backoff():
    """Retries keep their number of attempts but do not wait between them (``kmzb_common.retry``)."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
