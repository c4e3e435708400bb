"""Geo-router settings (prefix KMZB_GEO_ROUTER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["GeoRouterSettings"]

SAMPLE_OPERATOR_UNITS = "operator_sample_warszawa.geojson"


class GeoRouterSettings(ServiceSettings):
    """Settings of the geo-router."""

    model_config = SettingsConfigDict(env_prefix="KMZB_GEO_ROUTER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "geo-router"
    http_port: int = 8003
    jurisdiction_path: str | None = Field(
        default=None, description="Jurisdiction index (.json.gz); the packaged Polish index if unset"
    )
    operator_units_path: str | None = Field(
        default=None,
        description=(
            "Operator GeoJSON of KRP, komisariaty, posterunki and beats; empty for none. Unset: the packaged "
            "Warsaw sample with the packaged index, none with an imported index (jurisdiction_path)"
        ),
    )
    index_topic: str = Field(
        default="kmzb.geo-router.jurisdiction.v1",
        description="Compacted one-partition topic of published jurisdiction index versions",
    )
    redelivery_window: int = Field(
        default=2000, ge=0, description="Routed messages per partition re-read after a rebalance to skip resends"
    )
    recent_reports: int = Field(
        default=200_000,
        ge=1,
        description="Report ids a worker remembers to skip a resent report (bounded memory, ~135 bytes each)",
    )
    redelivery_read_timeout_s: float = Field(
        default=30.0, gt=0, description="Longest the tail read may take; after it routing goes on (at-least-once)"
    )

    def operator_units(self) -> str | None:
        """The operator file to load, if any (the sample only goes with the packaged index)."""
        if self.operator_units_path is not None:
            return self.operator_units_path or None
        return None if self.jurisdiction_path else SAMPLE_OPERATOR_UNITS
