"""The open-data format every public export shares: licence, headers, and GeoJSON/CSV written as streams.

Exports are written record by record from an iterator (a store cursor), never built as one list:
a year of a voivodeship stays a few kilobytes of memory. GeoJSON chunks and CSV lines are joined
into pieces of about ``CHUNK_BYTES`` so a response is neither one write per record nor one write.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "CHUNK_BYTES",
    "LICENCE",
    "README_PATH",
    "ATTRIBUTION",
    "csv_chunks",
    "geojson_chunks",
    "open_data_headers",
    "open_data_readme",
    "parse_bbox",
    "parse_period",
    "STATISTICS_COLUMNS",
    "THREAT_COLUMNS",
]

CHUNK_BYTES = 64 * 1024
README_PATH = "/api/v1/open-data/README"

LICENCE: dict[str, str] = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "name_pl": "Creative Commons Uznanie autorstwa 4.0 Międzynarodowe",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = "KMZB (Krajowa Mapa Zagrożeń Bezpieczeństwa), dane otwarte, CC BY 4.0"


def open_data_headers(*, k_anonymity: int | None) -> dict[str, str]:
    """Response headers of an export: the licence, the attribution, the k rule and where the README is."""
    headers = {
        "Link": f'<{LICENCE["url"]}>; rel="license", <{README_PATH}>; rel="describedby"',
        "X-KMZB-Licence": LICENCE["id"],
        "X-KMZB-Attribution": "KMZB open data, CC BY 4.0",
    }
    if k_anonymity is not None:
        headers["X-KMZB-K-Anonymity"] = f"cells with fewer than {k_anonymity} reports are suppressed"
    return headers


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _pieces(parts: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def geojson_chunks(
    features: Iterable[Mapping[str, Any]],
    *,
    metadata: Mapping[str, Any],
    trailer: Iterable[tuple[str, Any]] = (),
) -> Iterator[str]:
    """A FeatureCollection written as it is read: metadata first, features one by one, then ``trailer`` members.

    ``trailer`` is read after the last feature, so it can report what the stream left out.
    """

    def parts() -> Iterator[str]:
        yield '{"type":"FeatureCollection","metadata":' + _json(metadata)
        yield ',"features":['
        first = True
        for feature in features:
            yield ("" if first else ",") + _json(feature)
            first = False
        yield "]"
        for name, value in trailer:
            yield f",{json.dumps(name)}:" + _json(value)
        yield "}\n"

    return _pieces(parts())


def csv_chunks(rows: Iterable[Mapping[str, Any]], *, columns: Sequence[str]) -> Iterator[str]:
    """CSV with a header row, written as the rows are read (empty cells for None)."""

    def parts() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        yield buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
            yield buffer.getvalue()

    return _pieces(parts())


THREAT_COLUMNS = (
    "threat_id",
    "category",
    "category_name_pl",
    "lat",
    "lon",
    "location_snapped",
    "status",
    "status_label_pl",
    "report_count",
    "confirmation_count",
    "created_at",
    "updated_at",
)
STATISTICS_COLUMNS = ("cell", "lat", "lon", "layer", "category", "count", "period_start", "period_end")


def open_data_readme(*, k_anonymity: int | None) -> dict[str, Any]:
    """The sidecar README of the open data (both datasets), as JSON; ``k_anonymity`` as the stats service has it."""
    k_rule: dict[str, Any] = {
        "k": k_anonymity,
        "rule_pl": f"Komórki z mniej niż {k_anonymity} zgłoszeniami w okresie są pominięte (nie zaokrąglone): "
        "ich liczba podana jest w polu suppressed_cells pliku GeoJSON.",
        "rule_en": f"Cells with fewer than {k_anonymity} reports in the period are left out (not rounded): "
        "the GeoJSON's suppressed_cells says how many.",
    }
    if k_anonymity is None:
        k_rule = {
            "k": None,
            "rule_pl": "Zagrożenia są już publiczne pojedynczo (mapa); próg k komórek statystyk podaje README "
            "usługi stats.",
            "rule_en": "Threats are public one by one already (the map); the k of the statistics cells is in the "
            "stats service's README.",
        }
    return {
        "title": "KMZB: dane otwarte / open data",
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "datasets": {
            "threats": {
                "url": "/api/v1/open-data/threats.geojson | /api/v1/open-data/threats.csv (notifier)",
                "description_pl": "Zagrożenia widoczne na publicznej mapie: bez danych zgłaszających, kategorie "
                "wrażliwe w środku swojej komórki H3 (jedna reguła widoku publicznego, kmzb_contracts.public).",
                "description_en": "Threats shown on the public map: no reporter data, sensitive categories at the "
                "centre of their H3 cell (the one public-view rule, kmzb_contracts.public).",
                "columns": list(THREAT_COLUMNS),
                "filters": ["bbox=minLon,minLat,maxLon,maxLat", "unit_id", "category", "since", "until"],
            },
            "statistics": {
                "url": "/api/v1/open-data/statistics.geojson | /api/v1/open-data/statistics.csv (stats)",
                "description_pl": "Liczba zgłoszeń (lub rekordów warstwy statystyk) w heksagonach H3 rozdzielczości 8 "
                "(ok. 0,7 km²) w wybranym okresie.",
                "description_en": "Reports (or records of a statistics layer) per H3 resolution-8 hexagon "
                "(about 0.7 km²) over the period asked.",
                "columns": list(STATISTICS_COLUMNS),
                "filters": ["bbox=minLon,minLat,maxLon,maxLat", "unit_id", "layer", "category", "since", "until"],
            },
        },
        "k_anonymity": k_rule,
        "caveat_pl": "Zgłoszenia pokazują to, co zgłaszają mieszkańcy, a nie przestępczość: kanały i zwyczaje "
        "zgłaszania różnią się między obszarami.",
        "caveat_en": "Reports measure what residents report, not crime: reporting channels and habits differ "
        "between areas.",
        "times": "ISO 8601, UTC; since/until are dates or date-times, until exclusive",
    }


MAX_PERIOD = timedelta(days=366)


def _moment(raw: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name} is not an ISO 8601 date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_period(
    since: str | None, until: str | None, *, now: datetime, default: timedelta = timedelta(days=28)
) -> tuple[datetime, datetime]:
    """[since, until) of an export: the last ``default`` by default, at most 366 days; ValueError says why not."""
    end = _moment(until, "until") if until else now
    try:
        start = _moment(since, "since") if since else end - default
    except OverflowError:
        raise ValueError("until is too early") from None
    if start >= end:
        raise ValueError("since must be before until")
    if end - start > MAX_PERIOD:
        raise ValueError("the period is longer than 366 days")
    return start, end


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """minLon,minLat,maxLon,maxLat; ValueError says why it is not one."""
    if raw is None:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        raise ValueError("bbox must be four numbers: minLon,minLat,maxLon,maxLat") from None
    if len(parts) != 4 or not (parts[0] <= parts[2] and parts[1] <= parts[3]):
        raise ValueError("bbox must be four numbers: minLon,minLat,maxLon,maxLat")
    if not (-180 <= parts[0] <= 180 and -180 <= parts[2] <= 180 and -90 <= parts[1] <= 90 and -90 <= parts[3] <= 90):
        raise ValueError("bbox is outside the coordinate range")
    return parts  # type: ignore[return-value]
