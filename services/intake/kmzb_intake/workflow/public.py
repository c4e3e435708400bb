"""What the public sees of reports (Open311, a report's follow-up state): the contracts' one public-view rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kmzb_common.mongo import run_db
from kmzb_contracts import Catalogue, Category, PublicLocation, TaskStatus, is_public, public_location

from ..adapters.report_store import ReportStore

__all__ = ["PublicReport", "PublicReports"]


@dataclass(frozen=True, slots=True)
class PublicReport:
    """A report as any public output may show it: no reporter data, no description."""

    report_id: str
    category: str
    category_info: Category | None
    status: TaskStatus
    location: PublicLocation | None
    state: str
    unit_id: str | None
    unit_name_pl: str | None
    submitted_at: datetime
    routed_at: datetime | None
    updated_at: datetime
    history: tuple[tuple[TaskStatus, datetime], ...] = ()

    @classmethod
    def of(cls, doc: Mapping[str, Any], catalogue: Catalogue) -> PublicReport:
        """The public view of a stored report (a report without a task yet counts as Nowe)."""
        raw = doc.get("status")
        category = catalogue.get(doc["category"])
        return cls(
            report_id=doc["report_id"],
            category=doc["category"],
            category_info=category,
            status=TaskStatus(raw) if raw in TaskStatus._value2member_map_ else TaskStatus.NOWE,
            location=public_location(category, lat=doc["lat"], lon=doc["lon"]) if "lat" in doc else None,
            state=doc.get("state", "submitted"),
            unit_id=doc.get("unit_id"),
            unit_name_pl=doc.get("unit_name_pl"),
            submitted_at=doc["submitted_at"],
            routed_at=doc.get("routed_at"),
            updated_at=doc.get("updated_at") or doc.get("routed_at") or doc["submitted_at"],
            history=_history(doc.get("history", [])),
        )

    def is_public(self, now: datetime) -> bool:
        """Whether public lists and look-ups show it (hidden and faded statuses are not)."""
        return is_public(self.status, status_changed_at=self.updated_at, now=now)


def _history(entries: list[dict[str, Any]]) -> tuple[tuple[TaskStatus, datetime], ...]:
    """The task's statuses in time order (unknown ones skipped)."""
    known = ((TaskStatus(e["status"]), e["at"]) for e in entries if e.get("status") in TaskStatus._value2member_map_)
    return tuple(sorted(known, key=lambda entry: entry[1]))


class PublicReports:
    """Public look-ups of reports over the intake's read model."""

    def __init__(self, reports: ReportStore, catalogue: Catalogue, clock: Callable[[], datetime]) -> None:
        self._reports = reports
        self._catalogue = catalogue
        self._clock = clock

    async def state(self, report_id: str) -> PublicReport | None:
        """A report's follow-up state for the person who has its id, whatever its status."""
        doc = await run_db(self._reports.get, report_id)
        return PublicReport.of(doc, self._catalogue) if doc is not None else None

    async def id_of_number(self, code: str) -> str | None:
        """The id of the one report whose short number is ``code`` (8 hex digits); None if none or several."""
        ids = await run_db(self._reports.ids_starting, code, limit=2)
        return ids[0] if len(ids) == 1 else None

    async def visible(self, report_id: str) -> PublicReport | None:
        """The report when public outputs may show it; None when unknown, hidden or faded."""
        report = await self.state(report_id)
        return report if report is not None and report.is_public(self._clock()) else None

    async def search(
        self, *, ids: list[str] | None, categories: list[str] | None, start: datetime, end: datetime, limit: int
    ) -> list[PublicReport]:
        """Public reports by ids, or by categories and submission time, newest first."""
        now = self._clock()
        docs = await run_db(self._reports.search, ids=ids, categories=categories, start=start, end=end, limit=limit)
        views = (PublicReport.of(d, self._catalogue) for d in docs)
        return [v for v in views if v.is_public(now)]
