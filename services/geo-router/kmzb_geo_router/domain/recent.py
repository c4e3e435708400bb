"""A bounded memory of recently seen ids: the newest ``size`` are kept, the oldest forgotten."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

__all__ = ["RecentIds"]


class RecentIds:
    """Set membership over the last ``size`` distinct ids added."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._size = size
        self._ids: set[str] = set()
        self._order: deque[str] = deque()

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, item: str) -> None:
        """Remember ``item``; forget the oldest one beyond the size."""
        if item in self._ids:
            return
        self._ids.add(item)
        self._order.append(item)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())

    def update(self, items: Iterable[str]) -> None:
        """Remember every one of ``items``, in order."""
        for item in items:
            self.add(item)
