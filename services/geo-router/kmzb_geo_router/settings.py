"""Geo-router settings (prefix KMZB_GEO_ROUTER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["GeoRouterSettings"]


class GeoRouterSettings(ServiceSettings):
    """Settings of the geo-router."""

    model_config = SettingsConfigDict(env_prefix="KMZB_GEO_ROUTER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "geo-router"
    http_port: int = 8003
    jurisdiction_path: str | None = Field(default=None, description="Jurisdiction JSON; packaged one if unset")
    dedup_resolution: int = Field(default=9, ge=0, le=15)
    hotspot_resolution: int = Field(default=8, ge=0, le=15)
