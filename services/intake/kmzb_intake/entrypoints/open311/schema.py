"""The fixed GeoReport v2 documents of KMZB: discovery, services, service definitions, a request."""

from __future__ import annotations

from typing import Any

from kmzb_common.http import EMERGENCY_NOTICE
from kmzb_contracts import OPEN_STATUSES, STATUS_LABELS_PL, Category, TimeBand

from ...workflow import PublicReport
from .render import w3c

__all__ = ["SPEC", "BANDS", "DAYS", "discovery", "service_of", "definition_of", "request_of"]

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00Z"
DAYS = {
    "1": "poniedziałek",
    "2": "wtorek",
    "3": "środa",
    "4": "czwartek",
    "5": "piątek",
    "6": "sobota",
    "7": "niedziela",
}
BANDS = {
    TimeBand.RANO: "rano (6–10)",
    TimeBand.DZIEN: "dzień (10–16)",
    TimeBand.POPOLUDNIE: "popołudnie (16–20)",
    TimeBand.WIECZOR: "wieczór (20–24)",
    TimeBand.NOC: "noc (0–6)",
}


def discovery(base_url: str) -> dict[str, Any]:
    """The discovery document of the server at ``base_url`` (ending in /open311/v2/)."""
    return {
        "changeset": CHANGESET,
        "contact": "KMZB — Krajowa Mapa Zagrożeń Bezpieczeństwa. W nagłych wypadkach dzwoń pod 112 lub 997.",
        "key_service": "Klucze api_key wydaje administrator KMZB.",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service_of(category: Category) -> dict[str, Any]:
    """A category as an Open311 service."""
    return {
        "service_code": category.code,
        "service_name": category.name_pl,
        "description": category.name_en,
        "metadata": True,
        "type": "realtime",
        "keywords": category.group,
        "group": category.group,
    }


def definition_of(category: Category) -> dict[str, Any]:
    """A service's definition: the optional attributes of a KMZB report."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "occurred_at",
                "datatype": "datetime",
                "required": False,
                "datatype_description": "Kiedy zauważono zagrożenie (ISO 8601 ze strefą), nie z przyszłości",
                "order": 1,
                "description": "Data i godzina zdarzenia / when the threat was seen",
            },
            {
                "variable": True,
                "code": "time_bands",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": "Pory dnia, w których zagrożenie się powtarza / recurring times of day",
                "values": [{"key": b.value, "name": label} for b, label in BANDS.items()],
            },
            {
                "variable": True,
                "code": "days_of_week",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "Dni tygodnia, w które zagrożenie się powtarza / recurring days of week",
                "values": [{"key": k, "name": v} for k, v in DAYS.items()],
            },
        ],
    }


def request_of(report: PublicReport) -> dict[str, Any]:
    """A public report as a service request: open/closed, the Polish status in status_notes, no description."""
    category, where = report.category_info, report.location
    return {
        "service_request_id": report.report_id,
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": STATUS_LABELS_PL[report.status],
        "service_name": category.name_pl if category else report.category,
        "service_code": report.category,
        "description": None,
        "agency_responsible": report.unit_name_pl,
        "service_notice": EMERGENCY_NOTICE["pl"],
        "requested_datetime": w3c(report.submitted_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": where.lat if where else None,
        "long": where.lon if where else None,
        "media_url": None,
    }
