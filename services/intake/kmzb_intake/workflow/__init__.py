"""The intake's use cases (entrypoints parse their input and call these).

- ``reports``: accept a report, keep an attachment, find nearby threats and confirm one (+1),
  import police statistics; the order of each step keeps accepted reports from being lost or doubled;
- ``public``: what public outputs (Open311, a report's follow-up state) may show of a report.
"""

from .public import PublicReport, PublicReports
from .reports import (
    LIMITED_CHANNELS,
    Accepted,
    AttachmentForbidden,
    AttachmentNotFound,
    Device,
    ImportSummary,
    IntakeService,
    RateLimited,
    ReportDraft,
    ThreatNotFound,
)

__all__ = [
    "LIMITED_CHANNELS",
    "Accepted",
    "AttachmentForbidden",
    "AttachmentNotFound",
    "Device",
    "ImportSummary",
    "IntakeService",
    "PublicReport",
    "PublicReports",
    "RateLimited",
    "ReportDraft",
    "ThreatNotFound",
]
