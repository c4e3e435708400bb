"""The one settings base of every KMZB service."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kmzb_contracts import TopicNames

from .auth import AuthSettings

__all__ = ["ServiceSettings", "EPHEMERAL_MONGO_SCHEME"]

EPHEMERAL_MONGO_SCHEME = "mongomock://"


class ServiceSettings(BaseSettings):
    """Settings shared by all services; each service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(env_prefix="KMZB_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "kmzb"
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server binds")
    http_port: int = Field(default=8000, ge=1, le=65535)
    http_keep_alive_s: float = Field(
        default=75.0,
        gt=0,
        description=(
            "How long an idle client connection stays open. Above the idle timeouts of clients' pools and the "
            "ingress, so the server never closes a connection a client is about to reuse"
        ),
    )
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated")
    kafka_session_timeout_s: float = Field(
        default=60.0, gt=0, description="Consumer group session timeout; keep it low (6 s) on Tansu"
    )
    kafka_fetch_max_wait_ms: int = Field(
        default=100, ge=1, le=5000, description="Longest a consumer fetch waits for data (Tansu always waits it out)"
    )
    stream_batch_max: int = Field(
        default=500, ge=1, le=10_000, description="Stream agents: most events handled as one batch"
    )
    stream_batch_within_ms: int = Field(
        default=20, ge=1, le=5000, description="Stream agents: longest a batch waits to fill before it is handled"
    )
    kafka_producer_batch_bytes: int = Field(
        default=16384,
        ge=1,
        description=(
            "Stream services' producer batch size. 1 on Tansu: it reports a partition's end offset as its last "
            "record batch's base offset + 1, and faust's table recovery would stop before the batch's other records"
        ),
    )
    kafka_request_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one produce request")
    kafka_replication_factor: int = Field(
        default=1, ge=1, description="Replicas of the topics faust creates itself (table changelogs, repartition)"
    )
    mongo_url: str = Field(
        default="mongomock://localhost/kmzb",
        description="mongodb://... for a real server; mongomock:// for the embedded in-process store",
    )
    mongo_db: str = Field(default="kmzb", description="Database name")
    faust_app_id: str | None = Field(
        default=None, description="Stream services: consumer group and changelog prefix (kmzb-<service> if unset)"
    )
    topics: TopicNames = Field(default_factory=TopicNames)
    auth: AuthSettings = Field(default_factory=AuthSettings, description="Officers' token verification")
    faust_data_dir: str = Field(default="var/faust", description="Faust's working files, one folder per app")
    log_level: str = "INFO"
    log_json: bool = Field(default=True, description="One JSON object a line")
    log_event_sample: float = Field(
        default=1.0, ge=0, le=1, description="Share of reports whose per-event lines are logged"
    )

    @property
    def stream_app_id(self) -> str:
        """The faust app id: the consumer group and the prefix of changelog topics."""
        return self.faust_app_id or f"kmzb-{self.service_name}"

    @property
    def store_is_ephemeral(self) -> bool:
        """True for the embedded in-process store: read models are rebuilt from Kafka at start."""
        return self.mongo_url.startswith(EPHEMERAL_MONGO_SCHEME)
