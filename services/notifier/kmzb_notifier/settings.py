"""Notifier settings (prefix KMZB_NOTIFIER_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kmzb_common.settings import ServiceSettings

__all__ = ["NotifierSettings"]


class NotifierSettings(ServiceSettings):
    """Settings of the notifier."""

    model_config = SettingsConfigDict(env_prefix="KMZB_NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifier"
    http_port: int = 8001
