"""Turn a submitted report into a routed one (pure domain code)."""

from __future__ import annotations

from datetime import datetime

from kmzb_contracts import ReportRouted, ReportSubmitted, derived_event_id, load_catalogue

from .jurisdiction import CellResolutions, Jurisdiction

__all__ = ["route_report"]


def route_report(
    report: ReportSubmitted, *, jurisdiction: Jurisdiction, resolutions: CellResolutions, now: datetime
) -> ReportRouted:
    """Place the report in its cells, give it to its owning unit and that unit's contacts for its category group.

    The event id is derived from the report.
    """
    decision = jurisdiction.route(lat=report.lat, lon=report.lon)
    owner = jurisdiction.unit(decision.unit_id) if decision.unit_id else None
    category = load_catalogue().get(report.category)
    recipients = owner.recipients(category.group if category else "*") if owner else ()
    return ReportRouted(
        event_id=derived_event_id("ReportRouted", str(report.report_id)),
        report=report,
        cells=resolutions.cells(lat=report.lat, lon=report.lon),
        unit_id=decision.unit_id,
        unit_chain=decision.chain,
        unrouted_reason=decision.unrouted_reason,
        recipients=recipients,
        jurisdiction_version=jurisdiction.version,
        routed_at=now,
    )
