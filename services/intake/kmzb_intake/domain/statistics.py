"""Rows of police statistics and survey results: parsing, per-row validation and stable ids."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import h3

from kmzb_contracts import StatisticsLayer

from .outline import NationalOutline

__all__ = ["StatisticRow", "RowError", "parse_rows", "validate_row", "validate_rows", "FORMATS"]

FORMATS = ("csv", "jsonl")
_CODE = re.compile(r"^[A-Z0-9_]{1,64}$")
_UNIT = re.compile(r"^[A-Z0-9-]{1,32}$")
_FIELDS = {"id", "category", "occurred_at", "lat", "lon", "cell", "unit_id", "value", "respondents"}


@dataclass(frozen=True, slots=True)
class StatisticRow:
    """A valid row, with the stable id that makes a second import of the same file add nothing."""

    record_id: str
    category: str
    occurred_at: datetime
    lat: float
    lon: float
    unit_id: str | None
    value: float
    respondents: int | None


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row (numbered from 1, the header not counted) was rejected."""

    row: int
    code: str
    reason: str


def parse_rows(data: bytes, fmt: str) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """The raw rows of a CSV (with a header) or JSONL file, numbered from 1."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield 0, RowError(0, "not_utf8", "file is not UTF-8 text")
        return
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        for n, row in enumerate(reader, start=1):
            if None in row:
                yield n, RowError(n, "bad_columns", "more values than header columns")
            else:
                yield n, {k.strip(): v for k, v in row.items() if k is not None}
        return
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, RowError(n, "malformed_json", f"not JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            yield n, RowError(n, "malformed_json", "not a JSON object")
            continue
        yield n, obj


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or raw is None or isinstance(raw, dict | list):
        raise ValueError(f"{name} must be a number")
    value = float(str(raw).strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite")
    return value


def _when(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise ValueError("occurred_at must be an ISO 8601 date or date-time with offset")
    text = raw.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("occurred_at needs a UTC offset")
    return value


def _optional_str(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str | int):
        raise ValueError("must be text")
    return str(raw).strip()


def validate_row(
    raw: dict[str, Any],
    *,
    row: int,
    layer: StatisticsLayer,
    source: str,
    outline: NationalOutline,
    now: datetime,
    max_age: timedelta,
    seen: dict[str, int],
) -> StatisticRow | RowError:
    """A valid row or the reason it is refused; ``seen`` numbers identical rows within one file."""
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        return RowError(row, "unknown_field", f"unknown fields: {', '.join(unknown)[:200]}")
    try:
        category = _optional_str(raw.get("category"))
        if not category or not _CODE.match(category):
            return RowError(row, "invalid_category", "category must be a code of A-Z, 0-9 and _")
        cell = _optional_str(raw.get("cell"))
        if cell is not None and raw.get("lat") in (None, "") and raw.get("lon") in (None, ""):
            # An area given as an H3 cell (e.g. a survey per neighbourhood) is placed at its centre.
            if not h3.is_valid_cell(cell):
                return RowError(row, "invalid_cell", "cell is not a valid H3 cell")
            lat, lon = h3.cell_to_latlng(cell)
        else:
            lat, lon = _number(raw.get("lat"), "lat"), _number(raw.get("lon"), "lon")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return RowError(row, "invalid_coordinates", "coordinates out of range")
        occurred_at = _when(raw.get("occurred_at"))
        unit_id = _optional_str(raw.get("unit_id"))
        source_id = _optional_str(raw.get("id"))
        value = 1.0 if raw.get("value") in (None, "") else _number(raw.get("value"), "value")
        respondents_raw = raw.get("respondents")
        respondents = None if respondents_raw in (None, "") else int(_number(respondents_raw, "respondents"))
    except ValueError as exc:
        return RowError(row, "invalid_value", str(exc)[:200])
    if not outline.contains(lat=lat, lon=lon):
        return RowError(row, "outside_poland", "the location lies outside Poland")
    if occurred_at > now + timedelta(minutes=5):
        return RowError(row, "occurred_in_future", "occurred_at is in the future")
    if occurred_at < now - max_age:
        return RowError(row, "occurred_too_long_ago", f"occurred_at is more than {max_age.days} days ago")
    if unit_id is not None and not _UNIT.match(unit_id):
        return RowError(row, "invalid_unit", "unit_id must be a unit code such as KMP-1261")
    if layer is StatisticsLayer.SURVEY_SAFETY:
        if respondents is None or respondents < 1:
            return RowError(row, "missing_respondents", "survey rows need respondents >= 1")
        if not 0 <= value <= 100:
            return RowError(row, "invalid_value", "survey score must be between 0 and 100")
    elif value <= 0:
        return RowError(row, "invalid_value", "value must be positive")
    if source_id is not None:
        identity = f"{source}|{layer.value}|id|{source_id}"
    else:
        canonical = json.dumps(
            [layer.value, category, occurred_at.isoformat(), lat, lon, unit_id, value, respondents],
            separators=(",", ":"),
        )
        nth = seen.get(canonical, 0)
        seen[canonical] = nth + 1
        identity = f"{source}|{canonical}|{nth}"
    record_id = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return StatisticRow(record_id, category, occurred_at, lat, lon, unit_id, value, respondents)


def validate_rows(
    rows: Iterable[tuple[int, dict[str, Any] | RowError]], **kwargs: Any
) -> Iterator[StatisticRow | RowError]:
    """``validate_row`` over parsed rows, passing parse errors through."""
    seen: dict[str, int] = {}
    for n, raw in rows:
        yield raw if isinstance(raw, RowError) else validate_row(raw, row=n, seen=seen, **kwargs)
