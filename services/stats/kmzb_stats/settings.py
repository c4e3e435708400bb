"""Stats settings (prefix KMZB_STATS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["StatsSettings"]


class StatsSettings(ServiceSettings):
    """Settings of the stats service."""

    model_config = SettingsConfigDict(env_prefix="KMZB_STATS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "stats"
    http_port: int = 8002
    k_anonymity: int = Field(default=3, ge=1, le=1000, description="Public outputs hide cells with fewer reports")
    k_anonymity_coarsest_resolution: int = Field(
        default=6, ge=0, le=8, description="Small cells are merged into parents up to this resolution, then hidden"
    )
    gi_star_k: int = Field(default=1, ge=1, le=5, description="Gi* neighbourhood: cells within k grid steps")
    geo_router_url: str | None = Field(
        default=None, description="The geo-router's base URL: place names and units' territories (Gi* study areas)"
    )
    retention_hours: int = Field(
        default=8 * 7 * 24, ge=28 * 24, description="Hourly buckets kept: the 28-day window and baseline weeks"
    )
    counts_view_catch_up_s: float = Field(
        default=10.0,
        ge=0,
        description="How often the in-memory view of the counts reads back other replicas' writes; "
        "0 when this is the only stats process (every write then passes through it)",
    )
    baseline_weeks: int = Field(default=4, ge=1, le=7, description="Previous weeks an emerging hotspot is compared to")
    review_deadline_days: float = Field(
        default=3, gt=0, description="Public deadline figures: review due this many days after posting"
    )
    verification_deadline_days: float = Field(
        default=5, gt=0, description="Public deadline figures: verification due this many days after posting"
    )
    lag_interval_s: float = Field(default=5.0, gt=0, description="How often consumer lag is measured")
