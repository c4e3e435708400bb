"""Handing a threat over outside the police (pure domain code): partner kinds, a unit's partners, the handover.

"Potwierdzone (przekazane poza Policję)" names the body that takes the matter over: the gmina
for a dump, the road manager for a broken crossing, the forest district for quad bikes in the
woods. Each unit keeps its own list (configured data, read by an adapter); a kind no partner of
the unit covers is still offered by its generic name, so a handover never waits for configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import PartnerNotFound, PartnerRequired
from .model import Task

__all__ = ["PartnerKind", "PARTNER_KIND_LABELS_PL", "Partner", "PartnerList", "handover_item"]


class PartnerKind(StrEnum):
    """Bodies outside the police that take threats over."""

    GMINA = "GMINA"
    ZARZAD_DROGI = "ZARZAD_DROGI"
    STRAZ_MIEJSKA = "STRAZ_MIEJSKA"
    NADLESNICTWO = "NADLESNICTWO"
    ZARZADCA_KOLEI = "ZARZADCA_KOLEI"
    POMOC_SPOLECZNA = "POMOC_SPOLECZNA"
    WETERYNARIA = "WETERYNARIA"
    RATOWNICTWO_WODNE = "RATOWNICTWO_WODNE"


PARTNER_KIND_LABELS_PL = {
    PartnerKind.GMINA: "Urząd gminy lub miasta",
    PartnerKind.ZARZAD_DROGI: "Zarząd drogi",
    PartnerKind.STRAZ_MIEJSKA: "Straż miejska lub gminna",
    PartnerKind.NADLESNICTWO: "Nadleśnictwo",
    PartnerKind.ZARZADCA_KOLEI: "Zarządca linii kolejowej (PKP PLK)",
    PartnerKind.POMOC_SPOLECZNA: "Ośrodek pomocy społecznej",
    PartnerKind.WETERYNARIA: "Inspekcja weterynaryjna lub schronisko",
    PartnerKind.RATOWNICTWO_WODNE: "Ratownictwo wodne (WOPR)",
}


@dataclass(frozen=True, slots=True)
class Partner:
    """A body a unit hands threats over to; with a webhook, the handover is delivered to it."""

    partner_id: str
    name_pl: str
    kind: PartnerKind
    units: tuple[str, ...] = ()
    webhook_url: str | None = None


def _generic(kind: PartnerKind) -> Partner:
    return Partner(f"rodzaj:{kind.value.lower()}", PARTNER_KIND_LABELS_PL[kind], kind)


class PartnerList:
    """Every unit's partners; a unit's list holds its chain's partners, then the generic kinds not covered."""

    def __init__(self, partners: Iterable[Partner]) -> None:
        self._partners = tuple(partners)

    def for_chain(self, chain: Iterable[str]) -> list[Partner]:
        """The partners offered for a task of ``chain``: the most specific unit's first, then generic kinds."""
        order = {u: n for n, u in enumerate(chain)}
        own = [p for p in self._partners if order.keys() & set(p.units)]
        own.sort(key=lambda p: (-max(order[u] for u in p.units if u in order), p.name_pl.casefold()))
        covered = {p.kind for p in own}
        return own + [_generic(k) for k in PartnerKind if k not in covered]

    def resolve(self, chain: Iterable[str], partner_id: str | None) -> Partner:
        """The partner ``partner_id`` of the chain's list; PartnerRequired or PartnerNotFound otherwise."""
        if not partner_id:
            raise PartnerRequired()
        found = next((p for p in self.for_chain(chain) if p.partner_id == partner_id), None)
        if found is None:
            raise PartnerNotFound(partner_id)
        return found


def handover_item(
    *,
    task: Task,
    partner: Partner,
    note: str | None,
    unit_name: str,
    category_pl: str,
    officer_name: str,
    at: datetime,
) -> dict[str, Any]:
    """What the partner receives: the threat, where, the officer's note. No reporter data, no residents' texts."""
    return {
        "task_id": task.task_id,
        "partner_id": partner.partner_id,
        "partner_name": partner.name_pl,
        "category": task.category,
        "category_pl": category_pl,
        "lat": task.lat,
        "lon": task.lon,
        "reports": task.report_count,
        "confirmations": task.confirmation_count,
        "first_reported_at": task.created_at.isoformat(),
        "handed_over_at": at.isoformat(),
        "handed_over_by": officer_name,
        "unit_id": task.unit_id,
        "unit_name": unit_name,
        "note": note,
    }
