"""Rules a resident's report must satisfy (pure domain code)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from kmzb_contracts import Catalogue, Category

from .outline import NationalOutline

__all__ = [
    "ReportRejected",
    "normalise_description",
    "check_category",
    "check_location",
    "check_occurred_at",
    "check_text",
    "check_terms",
]

MAX_DESCRIPTION = 500

# An HTML tag, comment or declaration, or a script URL: refused, since a description is plain text.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|javascript\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class ReportRejected(Exception):
    """A report broke a rule: a stable code, the field, and Polish and English reasons."""

    code: str
    field: str
    message_pl: str
    message_en: str


def check_text(text: str, *, field: str) -> None:
    """Refuse HTML or script in a text field: KMZB keeps text plain and never renders it as HTML."""
    if _MARKUP.search(text):
        raise ReportRejected(
            "markup_not_allowed",
            field,
            "Tekst nie może zawierać znaczników HTML ani skryptów.",
            "The text may not contain HTML markup or scripts.",
        )


def normalise_description(text: str | None) -> str | None:
    """NFC-normalised text without control characters, trimmed; None when empty.

    The text is kept as plain text: it is never rendered as HTML by any KMZB page.
    """
    if text is None:
        return None
    cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise ReportRejected(
            "description_too_long",
            "description",
            f"Opis może mieć najwyżej {MAX_DESCRIPTION} znaków.",
            f"The description may have at most {MAX_DESCRIPTION} characters.",
        )
    check_text(cleaned, field="description")
    return cleaned or None


def check_category(catalogue: Catalogue, code: str) -> Category:
    """The category for ``code`` if it accepts new reports."""
    category = catalogue.get(code)
    if category is None:
        raise ReportRejected(
            "unknown_category", "category", "Nieznana kategoria zagrożenia.", "Unknown threat category."
        )
    if category.retired:
        raise ReportRejected(
            "retired_category",
            "category",
            "Ta kategoria nie przyjmuje już nowych zgłoszeń.",
            "This category no longer accepts new reports.",
        )
    return category


def check_location(outline: NationalOutline, *, lat: float, lon: float) -> None:
    """The point must lie in Poland (with the outline's tolerance at the coast and borders)."""
    if not outline.contains(lat=lat, lon=lon):
        raise ReportRejected(
            "outside_poland",
            "lat",
            "Wskazane miejsce leży poza granicami Polski.",
            "The location lies outside Poland.",
        )


def check_occurred_at(occurred_at: datetime | None, *, now: datetime, max_age: timedelta) -> None:
    """When the threat was seen may be neither in the future nor too long ago."""
    if occurred_at is None:
        return
    if occurred_at > now + timedelta(minutes=5):
        raise ReportRejected(
            "occurred_in_future",
            "occurred_at",
            "Data zdarzenia nie może być z przyszłości.",
            "The date is in the future.",
        )
    if occurred_at < now - max_age:
        raise ReportRejected(
            "occurred_too_long_ago",
            "occurred_at",
            f"Data zdarzenia jest starsza niż {max_age.days} dni.",
            f"The date is more than {max_age.days} days ago.",
        )


def check_terms(accepted: bool) -> None:
    """Residents must accept the terms of use."""
    if not accepted:
        raise ReportRejected(
            "terms_not_accepted",
            "terms_accepted",
            "Zgłoszenie wymaga akceptacji regulaminu.",
            "The terms of use must be accepted.",
        )
