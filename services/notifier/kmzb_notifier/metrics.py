"""The notifier's Prometheus metrics (bounded labels only)."""

from __future__ import annotations

from prometheus_client import Counter

__all__ = ["REPORTS_HANDLED", "CONFIRMATIONS", "ESCALATIONS", "WEBHOOKS_DELIVERED", "TIMER_FAILURES"]

REPORTS_HANDLED = Counter("notifier_reports_handled_total", "Routed reports by outcome", ["outcome"])
CONFIRMATIONS = Counter("notifier_confirmations_total", "Residents' confirmations by outcome", ["outcome"])
ESCALATIONS = Counter("notifier_escalations_total", "Tasks escalated to the parent unit")
WEBHOOKS_DELIVERED = Counter("notifier_webhook_deliveries_total", "Webhook items delivered")
TIMER_FAILURES = Counter("notifier_timer_failures_total", "Timer rounds that failed", ["timer"])
