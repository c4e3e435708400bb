"""The intake's Prometheus metrics (bounded labels only: a channel or a refusal code)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["ACCEPTED", "REJECTED", "SUBMIT_SECONDS"]

ACCEPTED = Counter("intake_reports_accepted_total", "Reports accepted", ["channel"])
REJECTED = Counter("intake_reports_rejected_total", "Reports refused", ["reason"])
SUBMIT_SECONDS = Histogram(
    "intake_submit_duration_seconds",
    "Time to validate and durably publish a report",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
