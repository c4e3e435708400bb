"""Partners outside the police per unit, read from a JSON data file (the packaged one by default)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import AnyHttpUrl, BaseModel, Field

from ..domain.partners import Partner, PartnerKind, PartnerList

__all__ = ["load_partners"]


class _PartnerIn(BaseModel):
    partner_id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    name_pl: str = Field(min_length=1, max_length=200)
    kind: PartnerKind
    units: list[str] = Field(min_length=1, description="Units (with their subtrees) that hand over to it")
    webhook_url: AnyHttpUrl | None = None


class _PartnerFile(BaseModel):
    partners: list[_PartnerIn]


def load_partners(path: Path | None) -> PartnerList:
    """The partners of ``path`` (``{"partners": [...]}``), or of the packaged demo file when None."""
    text = (
        path.read_text(encoding="utf-8")
        if path is not None
        else resources.files("kmzb_notifier").joinpath("data", "partners.json").read_text(encoding="utf-8")
    )
    parsed = _PartnerFile.model_validate_json(text)
    return PartnerList(
        Partner(
            p.partner_id,
            p.name_pl,
            p.kind,
            tuple(p.units),
            str(p.webhook_url) if p.webhook_url is not None else None,
        )
        for p in parsed.partners
    )
