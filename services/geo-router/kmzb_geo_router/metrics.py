"""The geo-router's Prometheus metrics (bounded labels only)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["ROUTED", "DUPLICATES", "INDEX_SWAPS", "LATENCY"]

ROUTED = Counter("georouter_reports_routed_total", "Reports routed", ["outcome"])
DUPLICATES = Counter("georouter_redeliveries_skipped_total", "Redelivered reports skipped")
INDEX_SWAPS = Counter("georouter_index_versions_total", "Published index versions seen", ["outcome"])
LATENCY = Histogram(
    "georouter_submit_to_route_seconds",
    "Time from intake acceptance to routing",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
