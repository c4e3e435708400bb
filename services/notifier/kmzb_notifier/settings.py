"""Notifier settings (prefix KMZB_NOTIFIER_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings
from kmzb_contracts import FADE_AFTER

from .domain.tasks import invalid_beat_cells

__all__ = [
    "NotifierSettings",
    "DeadlineSettings",
    "DeadlineOverride",
    "WebhookSettings",
    "OfficerSettings",
    "BeatSettings",
]

_DAY = 86400.0


class DeadlineOverride(BaseModel):
    """One unit's own deadlines (seconds after posting)."""

    review_s: float = Field(gt=0, description="Coordinator review due this long after posting")
    verification_s: float = Field(gt=0, description="Verification due this long after posting")


class DeadlineSettings(BaseModel):
    """KMZB deadlines, nested: KMZB_NOTIFIER_DEADLINES__REVIEW_S, ...__PER_UNIT='{"KMP-1261": {...}}'."""

    review_s: float = Field(default=3 * _DAY, gt=0, description="Coordinator review: 3 days by default")
    verification_s: float = Field(default=5 * _DAY, gt=0, description="Verification: 5 days by default")
    per_unit: dict[str, DeadlineOverride] = Field(
        default_factory=dict, description="Overrides by unit id; the most specific unit of a task's chain wins"
    )
    scan_interval_s: float = Field(default=5.0, gt=0, description="How often due deadlines are looked for")


class WebhookSettings(BaseModel):
    """Delivery to external dispatch systems, nested: KMZB_NOTIFIER_WEBHOOKS__BASE_DELAY_S, ..."""

    base_delay_s: float = Field(default=5.0, ge=0, description="First retry delay; doubles each attempt")
    max_delay_s: float = Field(default=3600.0, ge=0, description="Longest delay between attempts")
    max_attempts: int = Field(default=12, ge=1, description="Attempts before a delivery is marked failed")
    timeout_s: float = Field(default=5.0, gt=0, description="Timeout of one delivery request")
    scan_interval_s: float = Field(default=1.0, gt=0, description="How often due deliveries are attempted")


class OfficerSettings(BaseModel):
    """An officer tasks can be assigned to (the identity provider's id, name and units)."""

    officer_id: str = Field(min_length=1, max_length=100, description="The token's `sub`")
    name: str = Field(min_length=1, max_length=200, description="Rank and name, as shown to colleagues")
    units: list[str] = Field(min_length=1, description="Units the officer works in")


class BeatSettings(BaseModel):
    """An officer's beat set at start-up (a coordinator's later change through the API is kept)."""

    officer_id: str = Field(min_length=1, max_length=100, description="The token's `sub`")
    unit_id: str = Field(min_length=1, max_length=32, description="The unit the beat belongs to")
    cells: list[str] = Field(min_length=1, max_length=2000, description="H3 cells of resolution 7 to 9")

    @field_validator("cells")
    @classmethod
    def _h3_cells(cls, cells: list[str]) -> list[str]:
        bad = invalid_beat_cells(cells)
        if bad:
            raise ValueError(f"not H3 cells of resolution 7 to 9: {bad[:5]}")
        return cells


class NotifierSettings(ServiceSettings):
    """Settings of the notifier."""

    model_config = SettingsConfigDict(env_prefix="KMZB_NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifier"
    http_port: int = 8001
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    officers: list[OfficerSettings] = Field(
        default_factory=list,
        description="Officers offered for assignment (KMZB_NOTIFIER_OFFICERS='[...]'); dev login adds the demos",
    )
    beats: list[BeatSettings] = Field(
        default_factory=list, description="Beats set at start-up (KMZB_NOTIFIER_BEATS='[...]'), e.g. the demo's"
    )
    partners_file: Path | None = Field(
        default=None,
        description='JSON file of partners outside the police per unit ({"partners": [...]}); unset: the packaged list',
    )
    feed_poll_interval_s: float = Field(default=0.25, gt=0, description="How often an open feed looks for new items")
    feed_keepalive_s: float = Field(default=15.0, gt=0, description="Comment line sent on a quiet feed")
    outbox_relay_interval_s: float = Field(default=2.0, gt=0, description="How often unpublished events are resent")
    public_site_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the public pages (the intake): the alert feed links to its map and proxy",
    )
    public_fade_after_s: float = Field(
        default=FADE_AFTER.total_seconds(),
        ge=0,
        description="Niepotwierdzone threats leave the public map this long after the change",
    )
