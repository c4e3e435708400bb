"""A read model's rebuild from recovered tables, run beside faust's recovery, one at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["BackgroundSync"]

log = logging.getLogger(__name__)


class BackgroundSync:
    """Runs ``sync`` when asked, never twice at once, once more if asked again meanwhile.

    faust awaits recovery callbacks inside its recovery: a sync of thousands of records held the
    recovery for seconds a call (four calls a restart). They run beside it instead; the writes are
    absolute, so repeating them is harmless.
    """

    def __init__(self, sync: Callable[[], Awaitable[None]], *, what: str) -> None:
        self._sync = sync
        self._what = what
        self._task: asyncio.Future[None] | None = None
        self._again = False
        self.done = False

    async def request(self, *_: object, **__: object) -> None:
        """Start a sync in the background (or mark that another is needed after the running one)."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self._sync()
                self.done = True
            except Exception:  # noqa: BLE001 - the next recovery or rebalance syncs again
                log.exception("%s not synchronised", self._what)
            if not self._again:
                return

    async def check(self) -> None:
        """Readiness: fails until the first sync finished."""
        if not self.done:
            raise RuntimeError(f"{self._what} not yet rebuilt from the recovered tables")
