"""Kafka topic names and partition counts; services read them through their settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["TopicNames", "TOPIC_PARTITIONS"]


class TopicNames(BaseModel):
    """Topic names, overridable per deployment (e.g. KMZB_INTAKE_TOPICS__REPORTS_SUBMITTED)."""

    reports_submitted: str = Field(default="kmzb.reports.submitted.v1", description="ReportSubmitted")
    reports_routed: str = Field(default="kmzb.reports.routed.v1", description="ReportRouted, keyed by unit")
    tasks: str = Field(default="kmzb.tasks.v1", description="TaskCreated and TaskStatusChanged, keyed by unit")
    hotspots: str = Field(default="kmzb.hotspots.v1", description="HotspotUpdated, keyed by cell")
    threat_confirmations: str = Field(
        default="kmzb.threats.confirmations.v1", description="ThreatConfirmed, keyed by unit"
    )
    statistics: str = Field(default="kmzb.statistics.v1", description="StatisticRecorded, keyed by record id")
    dead_letter: str = Field(default="kmzb.deadletter.v1", description="Messages no consumer could parse")

    def all(self) -> list[str]:
        """Every topic name."""
        return list(self.model_dump().values())


TOPIC_PARTITIONS = 8
"""Partitions per topic: room for eight workers per consumer group."""
