"""Stats settings (prefix KMZB_STATS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["StatsSettings"]


class StatsSettings(ServiceSettings):
    """Settings of the stats service."""

    model_config = SettingsConfigDict(env_prefix="KMZB_STATS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "stats"
    http_port: int = 8002
