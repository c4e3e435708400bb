"""Intake settings (prefix KMZB_INTAKE_)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["AccessibilityStatement", "IntakeSettings"]


class AccessibilityStatement(BaseModel):
    """The facts of the deklaracja dostępności (/dostepnosc) that each deployment states for itself."""

    entity: str = Field(default="Komenda Główna Policji", description="Podmiot publiczny that publishes the site")
    site_published_on: date = Field(default=date(2016, 10, 5), description="Data publikacji strony internetowej")
    site_updated_on: date = Field(default=date(2026, 12, 1), description="Data ostatniej istotnej aktualizacji")
    prepared_on: date = Field(default=date(2026, 12, 1), description="Data sporządzenia deklaracji")
    reviewed_on: date = Field(default=date(2026, 12, 1), description="Data ostatniego przeglądu deklaracji (yearly)")
    contact_name: str = Field(
        default="Koordynator do spraw dostępności (do uzupełnienia przy wdrożeniu)",
        description="Who handles accessibility requests: a role or a person named by the deployment",
    )
    contact_email: str = Field(default="dostepnosc@kmzb.example", description="E-mail for accessibility requests")
    contact_phone: str = Field(default="", description="Phone for accessibility requests; none shown when empty")


class IntakeSettings(ServiceSettings):
    """Settings of the intake."""

    model_config = SettingsConfigDict(env_prefix="KMZB_INTAKE_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "intake"
    http_port: int = 8000
    device_key_secret: SecretStr = Field(
        min_length=16, description="HMAC key for device hashes; no default, supplied as a secret"
    )
    device_key_previous_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="Earlier HMAC keys, still checked after a rotation so limits and '+1's carry over",
    )
    trusted_proxies: list[str] = Field(default_factory=list, description="Addresses whose X-Forwarded-For is believed")
    catalogue_path: str | None = Field(default=None, description="Category catalogue JSON; packaged if unset")
    occurred_max_age_days: int = Field(default=365, ge=1, description="Oldest accepted occurred_at")
    report_limit_window_h: float = Field(default=24, gt=0, description="One resident report per device per window")
    idempotency_ttl_h: float = Field(default=24, gt=0, description="How long an Idempotency-Key is remembered")
    nearby_rings: int = Field(default=1, ge=0, le=3, description="H3 res-9 rings searched for duplicates (1 ≈ 250 m)")
    open311_api_keys: list[SecretStr] = Field(
        default_factory=list, description="Keys of Open311 clients allowed to POST; none means POST is refused"
    )
    open311_jurisdiction_id: str = Field(default="policja.gov.pl", description="Open311 jurisdiction_id")
    statistics_max_age_days: int = Field(default=3650, ge=1, description="Oldest imported statistic row")
    import_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, description="Largest statistics upload")
    max_in_flight: int = Field(
        default=128,
        ge=1,
        description="Requests in progress beyond which new ones get 503 with Retry-After at once (load shedding)",
    )
    projection_group_id: str = Field(default="kmzb-intake-projection", description="Read-model consumer group")
    # Web pages (entrypoints/web.py): the intake serves them and proxies the other services' public APIs.
    web_notifier_url: str = Field(default="http://127.0.0.1:8001", description="Notifier base URL the pages use")
    web_stats_url: str = Field(default="http://127.0.0.1:8002", description="Stats base URL the pages use")
    web_geo_router_url: str = Field(default="http://127.0.0.1:8003", description="Geo-router base URL the pages use")
    web_proxy: bool = Field(
        default=True,
        description="Pages reach the other services through /svc/<name> on the intake (same origin, no CORS); "
        "off: the browser calls the web_*_url addresses directly, which then need CORS",
    )
    web_tile_url: str | None = Field(
        default=None,
        description="XYZ tile URL template of the map background, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
        "({s} for subdomains); unset: the offline outlines only. Its origin is added to the pages' CSP img-src",
    )
    web_tile_attribution: str = Field(default="", description="Attribution of the tile server (HTML allowed)")
    web_geocoder_url: str | None = Field(
        default=None,
        description="Nominatim-compatible /search endpoint for street addresses (off when unset; the offline "
        "place search answers alone). Its origin is added to the pages' CSP connect-src",
    )
    web_geocoder_attribution: str = Field(default="", description="Attribution of the geocoder's data")
    web_geocoder_timeout_s: float = Field(
        default=4.0, gt=0, le=30, description="How long the page waits for the geocoder before it falls back"
    )
    accessibility: AccessibilityStatement = Field(
        default_factory=AccessibilityStatement,
        description="Deklaracja dostępności facts (KMZB_INTAKE_ACCESSIBILITY__CONTACT_EMAIL, ...); placeholders",
    )

    @field_validator("web_tile_url", "web_geocoder_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host, so the pages' CSP can name its origin."""
        if value is None or value == "":
            return None
        parts = urlsplit(value.replace("{s}", "a"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL")
        return value
