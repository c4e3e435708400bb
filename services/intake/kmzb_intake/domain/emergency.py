"""Does a description read like an emergency in progress? (Polish keyword stems)"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

__all__ = ["EmergencyDetector", "load_detector", "URGENT_NOTICE"]

URGENT_NOTICE = {
    "pl": "Twój opis wygląda na zdarzenie, które dzieje się teraz. Zadzwoń natychmiast pod numer 112! "
    "Zgłoszenie w KMZB zostało przyjęte, ale nie zastąpi wezwania pomocy.",
    "en": "Your description reads like an emergency in progress. Call 112 now! "
    "The KMZB report was accepted, but it does not replace calling for help.",
}


def _fold(text: str) -> str:
    """Lower case without diacritics (ł → l too), so residents' spelling variants match."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class EmergencyDetector:
    """Matches word stems at word starts; multi-word stems match across one space.

    ``stems`` (folded, longest first) is published to the pages, which warn while a resident types;
    they fold the text the same way: lower case, ł → l, combining marks removed.
    """

    def __init__(self, stems: Iterable[str]) -> None:
        folded = sorted({_fold(s.strip()) for s in stems if s.strip()}, key=len, reverse=True)
        self.stems: tuple[str, ...] = tuple(folded)
        alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in folded)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})", re.UNICODE) if folded else None

    def matches(self, text: str | None) -> bool:
        """Whether ``text`` contains an emergency word."""
        if not text or self._pattern is None:
            return False
        return self._pattern.search(_fold(text)) is not None


@cache
def load_detector() -> EmergencyDetector:
    """The detector with the packaged keyword list."""
    raw = resources.files("kmzb_intake.data").joinpath("emergency_keywords.txt").read_text("utf-8")
    return EmergencyDetector(line for line in raw.splitlines() if line.strip() and not line.startswith("#"))
