"""Public deadline accountability: the figures of every unit, rolled up its chain, as rows for JSON and CSV."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..adapters.deadline_store import DeadlineStore
from ..adapters.geodata import Geodata
from ..domain.deadlines import PERIOD_DAYS, Deadlines, Period, UnitCompliance, compliance

__all__ = ["Accountability", "COLUMNS", "EXPLANATIONS", "rows_csv"]

_CACHE_S = 30.0

COLUMNS = (
    "unit_id",
    "name_pl",
    "parent_id",
    "level",
    "tasks",
    "review_judged",
    "reviewed_on_time",
    "reviewed_on_time_share",
    "verification_judged",
    "verified_on_time",
    "verified_on_time_share",
    "median_review_hours",
    "median_close_hours",
    "open_overdue",
)

EXPLANATIONS = {
    "reviewed_on_time_share": {
        "pl": "Odsetek zadań, w których koordynator otworzył weryfikację najpóźniej {review} po zgłoszeniu, "
        "spośród zadań już przejrzanych lub po terminie (zadania jeszcze w terminie nie są liczone).",
        "en": "Share of tasks whose coordinator opened verification at most {review} after posting, among the "
        "tasks already reviewed or past the deadline (tasks still within it are not counted).",
    },
    "verified_on_time_share": {
        "pl": "Odsetek zadań zweryfikowanych (potwierdzone, niepotwierdzone lub żart/pomyłka) "
        "najpóźniej {verification} po zgłoszeniu, spośród zadań już zweryfikowanych lub po terminie.",
        "en": "Share of tasks verified (confirmed, not confirmed, or a joke/mistake) at most {verification} after "
        "posting, among the tasks already verified or past the deadline.",
    },
    "median_review_hours": {
        "pl": "Mediana czasu od zgłoszenia do otwarcia weryfikacji, z zadań przejrzanych (w JSON i CSV w godzinach).",
        "en": "Median time from posting to the opening of verification, over the tasks reviewed (JSON and CSV: hours).",
    },
    "median_close_hours": {
        "pl": "Mediana czasu od zgłoszenia do zamknięcia zadania, z zadań zamkniętych (w JSON i CSV w godzinach).",
        "en": "Median time from posting to the closing of the task, over the tasks closed (JSON and CSV: hours).",
    },
    "open_overdue": {
        "pl": "Liczba zadań wciąż otwartych, które przekroczyły termin przeglądu lub weryfikacji.",
        "en": "Number of tasks still open that are past their review or verification deadline.",
    },
}


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:g}"


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class Accountability:
    """Deadline figures over the timelines read model, with unit names from the geo-router; kept 30 s."""

    def __init__(
        self, store: DeadlineStore, *, geodata: Geodata, deadlines: Deadlines, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._geodata = geodata
        self.deadlines = deadlines
        self._clock = clock
        self._cache: dict[tuple[Period, str | None], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def report(self, *, period: Period, unit_id: str | None = None) -> dict[str, Any]:
        """Rows of the unit and every unit below it (or of every unit), in the order of the hierarchy."""
        key = (period, unit_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_S:
            return cached[1]
        now = self._clock()
        since = now - timedelta(days=PERIOD_DAYS[period])
        figures = compliance(
            self._store.timelines(since=since, unit_id=unit_id), now=now, period=period, deadlines=self.deadlines
        )
        names = self._geodata.unit_names() if figures else {}
        rows = [_row(f, names.get(f.unit_id), level) for f, level in _hierarchy(figures, root=unit_id)]
        review = _days(self.deadlines.review)
        verification = _days(self.deadlines.verification)
        out = {
            "period": str(period),
            "period_start": since.isoformat(),
            "period_end": now.isoformat(),
            "unit_id": unit_id,
            "deadlines": {"review_days": float(review), "verification_days": float(verification)},
            "explanations": {
                field: {
                    lang: text.format(
                        review=f"{review} {'dni' if lang == 'pl' else 'days'}",
                        verification=f"{verification} {'dni' if lang == 'pl' else 'days'}",
                    )
                    for lang, text in texts.items()
                }
                for field, texts in EXPLANATIONS.items()
            },
            "columns": list(COLUMNS),
            "units": rows,
        }
        with self._lock:
            self._cache[key] = (time.monotonic(), out)
        return out


def _hierarchy(figures: dict[str, UnitCompliance], *, root: str | None) -> list[tuple[UnitCompliance, int]]:
    """Depth-first from the root (or the units with no parent), children by id."""
    children: dict[str | None, list[str]] = {}
    for unit, f in figures.items():
        parent = f.parent_id if f.parent_id in figures else None
        children.setdefault(parent, []).append(unit)
    out: list[tuple[UnitCompliance, int]] = []
    stack = [(u, 0) for u in sorted(children.get(None, []), reverse=True)]
    if root is not None:
        stack = [(root, 0)] if root in figures else []
    seen: set[str] = set()
    while stack:
        unit, level = stack.pop()
        if unit in seen:
            continue
        seen.add(unit)
        out.append((figures[unit], level))
        stack.extend((c, level + 1) for c in sorted(children.get(unit, []), reverse=True))
    return out


def _row(f: UnitCompliance, name: str | None, level: int) -> dict[str, Any]:
    return {
        "unit_id": f.unit_id,
        "name_pl": name,
        "parent_id": f.parent_id,
        "level": level,
        "tasks": f.tasks,
        "review_judged": f.review_judged,
        "reviewed_on_time": f.reviewed_on_time,
        "reviewed_on_time_share": _share(f.reviewed_on_time_share),
        "verification_judged": f.verification_judged,
        "verified_on_time": f.verified_on_time,
        "verified_on_time_share": _share(f.verified_on_time_share),
        "median_review_hours": _hours(f.median_review_s),
        "median_close_hours": _hours(f.median_close_s),
        "open_overdue": f.open_overdue,
    }


def rows_csv(report: dict[str, Any]) -> str:
    """The report's rows as CSV (a header row; empty cells where a figure is not known)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in report["units"]:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
