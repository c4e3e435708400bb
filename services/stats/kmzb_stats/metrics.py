"""stats' Prometheus metrics (bounded labels only: no cell, report or unit id below a voivodeship)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["COUNTED", "REPORTS", "STATISTICS", "STATUSES", "LATENCY", "LAG"]

COUNTED = Counter("stats_reports_counted_total", "Reports counted into hotspots", ["outcome"])
REPORTS = Counter(
    "stats_reports_total", "Reports counted, by category and voivodeship command", ["category", "voivodeship"]
)
STATISTICS = Counter("stats_statistics_counted_total", "Imported statistics records counted", ["layer", "outcome"])
STATUSES = Counter(
    "stats_report_statuses_total",
    "Tasks entering a verification status, by category and voivodeship command",
    ["status", "category", "voivodeship"],
)
LATENCY = Histogram(
    "stats_processing_latency_seconds",
    "From an event's own time to the end of its processing in stats",
    ["topic"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
LAG = Gauge("stats_consumer_lag_messages", "Messages on the broker not yet fetched by this worker", ["topic"])
