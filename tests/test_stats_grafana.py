"""The Grafana dashboard under deploy/ queries only metrics the services really expose, with bounded labels."""

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import kmzb_intake.entrypoints.api  # noqa: F401  (registers intake's metrics)
import kmzb_stats.entrypoints.agents  # noqa: F401  (registers stats' metrics)

DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "kmzb-operations.json"
UNBOUNDED = {"cell", "report_id", "task_id", "unit_id", "record_id", "device_key_hash"}


def _exposed() -> dict[str, set[str]]:
    """Sample names the registry exposes, with their declared label names."""
    # Label names of a labelled metric without children appear in no sample: read them off the collector.
    return {
        name: set(getattr(collector, "_labelnames", ()))
        for name, collector in REGISTRY._names_to_collectors.items()  # noqa: SLF001
    }


def test_every_panel_queries_exposed_metrics_grouped_by_bounded_labels_only():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exposed = _exposed()
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) >= 6
    for expr in exprs:
        metrics = set(re.findall(r"\b((?:stats|intake)_[a-z_]+)\b", expr))
        assert metrics and metrics <= set(exposed), expr
        grouped = {g.strip() for grp in re.findall(r"by \(([^)]*)\)", expr) for g in grp.split(",")}
        assert not grouped & UNBOUNDED, expr
        assert grouped - {"le"} <= set().union(*(exposed[m] for m in metrics)), expr
    for metric, labels in exposed.items():
        if metric.startswith("stats_"):
            assert not labels & UNBOUNDED, metric


def test_operations_panels_cover_status_category_voivodeship_lag_and_latency():
    text = DASHBOARD.read_text(encoding="utf-8")
    for needle in (
        "by (status)",
        "by (category)",
        "by (voivodeship)",
        "stats_consumer_lag_messages",
        "histogram_quantile",
    ):
        assert needle in text
