"""Who can be given a task: the officers of a unit (configured, or the demo accounts in dev mode) and beats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kmzb_common.auth import DEMO_ACCOUNTS, Role

__all__ = ["Officer", "OfficerDirectory"]

_ASSIGNABLE = {Role.OFFICER, Role.COORDINATOR}


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer a task can be assigned to."""

    officer_id: str
    name: str
    units: tuple[str, ...]
    has_beat: bool = False


class OfficerDirectory:
    """Officers by unit: the identity provider's list is configured; dev mode adds the demo accounts."""

    def __init__(self, officers: Iterable[Officer], *, include_demo: bool) -> None:
        self._by_id = {o.officer_id: o for o in officers}
        if include_demo:
            for a in DEMO_ACCOUNTS.values():
                if _ASSIGNABLE & set(a.roles):
                    self._by_id.setdefault(a.username, Officer(a.username, a.name, a.units))

    def for_chain(self, chain: Iterable[str], *, beat_holders: Iterable[str] = ()) -> list[Officer]:
        """Officers whose units cover the chain, by name; beat holders of the unit marked (and added)."""
        units = set(chain)
        beats = set(beat_holders)
        found = {o.officer_id: o for o in self._by_id.values() if units.intersection(o.units)}
        for officer_id in beats - found.keys():
            found[officer_id] = Officer(officer_id, officer_id, ())
        out = [Officer(o.officer_id, o.name, o.units, has_beat=o.officer_id in beats) for o in found.values()]
        return sorted(out, key=lambda o: (not o.has_beat, o.name.casefold()))
