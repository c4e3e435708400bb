"""Recurrences, emerging hotspots and patrol recommendations ("dyslokacja służb"): pure domain code."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import h3

from kmzb_contracts import TimeBand

from .text import number_en, number_pl, plural_pl

__all__ = [
    "Sighting",
    "Elimination",
    "RecurrenceFlag",
    "Emerging",
    "Reason",
    "PatrolRecommendation",
    "TIME_BAND_LABELS_PL",
    "TIME_BAND_LABELS_EN",
    "time_band",
    "find_recurrences",
    "emerging_cells",
    "recommend_patrols",
]

WARSAW = ZoneInfo("Europe/Warsaw")

TIME_BAND_LABELS_PL: dict[TimeBand, str] = {
    TimeBand.RANO: "rano (6–10)",
    TimeBand.DZIEN: "dzień (10–16)",
    TimeBand.POPOLUDNIE: "popołudnie (16–20)",
    TimeBand.WIECZOR: "wieczór (20–24)",
    TimeBand.NOC: "noc (0–6)",
}

TIME_BAND_LABELS_EN: dict[TimeBand, str] = {
    TimeBand.RANO: "morning (6–10)",
    TimeBand.DZIEN: "daytime (10–16)",
    TimeBand.POPOLUDNIE: "afternoon (16–20)",
    TimeBand.WIECZOR: "evening (20–24)",
    TimeBand.NOC: "night (0–6)",
}

# Local hour at which each band starts (TimeBand documents the same ranges).
_BAND_STARTS = [(0, TimeBand.NOC), (6, TimeBand.RANO), (10, TimeBand.DZIEN), (16, TimeBand.POPOLUDNIE)]
_BAND_STARTS.append((20, TimeBand.WIECZOR))


def time_band(moment: datetime) -> TimeBand:
    """The time-of-day band of a moment, in Polish local time."""
    hour = moment.astimezone(WARSAW).hour
    band = TimeBand.NOC
    for start, b in _BAND_STARTS:
        if hour >= start:
            band = b
    return band


@dataclass(frozen=True)
class Sighting:
    """One counted report, as recurrence and patrol planning need it."""

    report_id: str
    category: str
    hotspot_cell: str
    dedup_cell: str
    unit_id: str | None
    at: datetime
    """When the threat was seen (occurred_at), else when it was reported."""
    bands: tuple[TimeBand, ...]
    """Declared recurrence bands, else the band of ``at``."""


@dataclass(frozen=True)
class Elimination:
    """A threat confirmed and eliminated (POTWIERDZONE_WYELIMINOWANE) at a place."""

    task_id: str
    category: str
    dedup_cell: str
    unit_id: str
    eliminated_at: datetime


@dataclass(frozen=True)
class RecurrenceFlag:
    """A report of a threat that came back after it was eliminated in the same place."""

    sighting: Sighting
    elimination: Elimination


def find_recurrences(eliminations: Iterable[Elimination], sightings: Iterable[Sighting]) -> list[RecurrenceFlag]:
    """Sightings of the same category in the eliminated cell or its k=1 ring, seen after the elimination.

    Each sighting is flagged once, against the latest elimination before it.
    """
    by_place: dict[tuple[str, str], list[Elimination]] = {}
    for e in eliminations:
        by_place.setdefault((e.category, e.dedup_cell), []).append(e)
    flags: list[RecurrenceFlag] = []
    for s in sightings:
        candidates = [
            e
            for cell in h3.grid_disk(s.dedup_cell, 1)
            for e in by_place.get((s.category, cell), ())
            if e.eliminated_at < s.at
        ]
        if candidates:
            flags.append(RecurrenceFlag(s, max(candidates, key=lambda e: e.eliminated_at)))
    return sorted(flags, key=lambda f: (f.sighting.at, f.sighting.report_id))


@dataclass(frozen=True)
class Emerging:
    """A cell whose count this window is well above its baseline of previous windows."""

    cell: str
    current: float
    baseline_mean: float
    score: float


def emerging_cells(
    current: Mapping[str, float], baseline: Sequence[Mapping[str, float]], *, min_count: float = 3, min_score: float = 2
) -> list[Emerging]:
    """Cells with at least ``min_count`` now and a Poisson score (c - mean) / sqrt(max(mean, 1)) of ``min_score``."""
    out = []
    for cell, count in current.items():
        mean = sum(window.get(cell, 0.0) for window in baseline) / len(baseline) if baseline else 0.0
        score = (count - mean) / math.sqrt(max(mean, 1.0))
        if count >= min_count and score >= min_score:
            out.append(Emerging(cell, count, mean, score))
    return sorted(out, key=lambda e: (-e.score, e.cell))


@dataclass(frozen=True)
class Reason:
    """Why a cell is recommended, with its figure and a message in Polish and English."""

    code: str
    value: float
    message_pl: str
    message_en: str


@dataclass(frozen=True)
class PatrolRecommendation:
    """A cell to patrol, when, and why."""

    cell: str
    score: float
    time_bands: tuple[TimeBand, ...]
    categories: tuple[str, ...]
    reasons: tuple[Reason, ...] = field(default=())


# Weights of the ranking: a recurrence shows that patrols alone did not fix a place.
HOTSPOT_WEIGHT = 1.0
EMERGING_WEIGHT = 1.0
RECURRENCE_WEIGHT = 2.0


def _reports_pl(n: int) -> str:
    return f"{number_pl(n)} {plural_pl(n, 'zgłoszenie', 'zgłoszenia', 'zgłoszeń')}"


def _reports_en(n: int) -> str:
    return f"{number_en(n)} {'report' if n == 1 else 'reports'}"


def recommend_patrols(
    *,
    counts: Mapping[str, float],
    z_scores: Mapping[str, float],
    hot_levels: Mapping[str, int],
    emerging: Iterable[Emerging],
    recurrences: Iterable[RecurrenceFlag],
    sightings: Iterable[Sighting],
    limit: int = 10,
) -> list[PatrolRecommendation]:
    """Rank a unit's cells by Gi* z of hot spots, emergence and recurrences; the busiest time bands first.

    ``hot_levels`` gives the confidence level (90, 95, 99 %, after the FDR correction) of each hot spot;
    the sentences name that level, never the z-score, which stays in the reason's value.
    """
    emerging_by_cell = {e.cell: e for e in emerging}
    recurring = Counter(f.sighting.hotspot_cell for f in recurrences)
    bands: dict[str, Counter[TimeBand]] = {}
    categories: dict[str, Counter[str]] = {}
    for s in sightings:
        bands.setdefault(s.hotspot_cell, Counter()).update(s.bands)
        categories.setdefault(s.hotspot_cell, Counter())[s.category] += 1
    out = []
    for cell in set(counts) | set(emerging_by_cell) | set(recurring):
        reasons: list[Reason] = []
        score = 0.0
        z = z_scores.get(cell, 0.0)
        level = hot_levels.get(cell)
        if level is not None:
            score += HOTSPOT_WEIGHT * z
            n = int(counts.get(cell, 0))
            reasons.append(
                Reason(
                    "gi_star_hotspot",
                    round(z, 3),
                    f"Gorący punkt na poziomie ufności {level}%: {_reports_pl(n)} w ciągu 28 dni, "
                    "znacznie więcej niż w okolicy.",
                    f"Hot spot at {level}% confidence: {_reports_en(n)} in 28 days, far more than around it.",
                )
            )
        if cell in emerging_by_cell:
            e = emerging_by_cell[cell]
            score += EMERGING_WEIGHT * e.score
            reasons.append(
                Reason(
                    "emerging",
                    round(e.score, 3),
                    f"Nowy gorący punkt: {_reports_pl(int(e.current))} w tym tygodniu, "
                    + (
                        f"wcześniej średnio {number_pl(e.baseline_mean, 1)} tygodniowo."
                        if e.baseline_mean
                        else "wcześniej żadnego."
                    ),
                    f"Emerging hot spot: {_reports_en(int(e.current))} this week, "
                    + (
                        f"{number_en(e.baseline_mean, 1)} a week on average before."
                        if e.baseline_mean
                        else "none before."
                    ),
                )
            )
        if recurring[cell]:
            n = recurring[cell]
            score += RECURRENCE_WEIGHT * n
            reasons.append(
                Reason(
                    "recurring",
                    n,
                    f"Zagrożenie wróciło po wyeliminowaniu ({_reports_pl(n)}): same patrole nie wystarczyły.",
                    f"The threat came back after it was eliminated ({_reports_en(n)}): patrols alone did not fix it.",
                )
            )
        if not reasons:
            continue
        cell_bands = bands.get(cell, Counter())
        out.append(
            PatrolRecommendation(
                cell=cell,
                score=round(score, 6),
                time_bands=tuple(b for b, _ in sorted(cell_bands.items(), key=lambda kv: (-kv[1], kv[0]))),
                categories=tuple(c for c, _ in categories.get(cell, Counter()).most_common()),
                reasons=tuple(reasons),
            )
        )
    return sorted(out, key=lambda r: (-r.score, r.cell))[:limit]
