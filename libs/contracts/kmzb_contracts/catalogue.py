"""The KMZB threat catalogue: stable codes, Polish names first, English glosses."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Category", "Catalogue", "load_catalogue"]


class Category(BaseModel):
    """One threat category of the catalogue."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Stable machine code, never reused for another meaning")
    name_pl: str = Field(description="Polish name shown to residents and officers")
    name_en: str = Field(description="English gloss")
    group: str = Field(description="Category group used for routing to departments (e.g. drogowe)")
    privacy: bool = Field(default=False, description="Public locations are snapped to the cell centre")
    retired: bool = Field(default=False, description="No new reports accepted; old reports stay valid")


class Catalogue(BaseModel):
    """The whole catalogue, indexed by code."""

    model_config = ConfigDict(frozen=True)

    catalogue_version: str
    source: str
    categories: tuple[Category, ...]

    def get(self, code: str) -> Category | None:
        """Return the category with this code, retired ones included, or None."""
        return self._by_code().get(code)

    def active(self) -> tuple[Category, ...]:
        """Categories that accept new reports."""
        return tuple(c for c in self.categories if not c.retired)

    def _by_code(self) -> dict[str, Category]:
        return _index(self)


@cache
def _index(catalogue: Catalogue) -> dict[str, Category]:
    return {c.code: c for c in catalogue.categories}


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    """Load the catalogue from a JSON file (the packaged one by default)."""
    if path:
        raw = Path(path).read_text(encoding="utf-8")
    else:
        raw = resources.files(__package__).joinpath("categories.json").read_text(encoding="utf-8")
    return Catalogue.model_validate(json.loads(raw))
