"""Karta weryfikacji zagrożenia as a printable PDF (fpdf2, DejaVu Sans embedded for Polish letters).

§ 5 of the KGP guidelines: the local coordinator reviews category and place within 3 days and
prepares the card; the officer verifies and records the findings and the outcome. The card holds
the threat (category, place, dates, reports and "+1"), the review and the verification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.metadata import distribution
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

__all__ = ["CardLine", "VerificationCard", "render_card"]

_WARSAW = ZoneInfo("Europe/Warsaw")
_FONT = "DejaVuSans"


@cache
def _font_file(name: str) -> Path:
    # Located, not imported: the package's module would pull in a typesetting engine we do not need.
    return Path(str(distribution("rinoh-typeface-dejavusans").locate_file(f"rinoh_typeface_dejavusans/{name}")))


def local_time(at: datetime | None) -> str:
    """A date and time as Polish readers write it (Warsaw time), or a dash."""
    return "—" if at is None else at.astimezone(_WARSAW).strftime("%d.%m.%Y %H:%M")


@dataclass(frozen=True, slots=True)
class CardLine:
    """A label and its value on the card."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class VerificationCard:
    """What the card shows, already in Polish words."""

    task_id: str
    unit_name: str
    threat: list[CardLine]
    reports: list[str]
    review: list[CardLine]
    verification: list[CardLine]
    notes: list[str] = field(default_factory=list)
    generated_at: datetime | None = None


class _Card(FPDF):
    def __init__(self, card: VerificationCard) -> None:
        super().__init__(format="A4")
        self._card = card
        self.add_font(_FONT, "", str(_font_file("DejaVuSans.ttf")))
        self.add_font(_FONT, "B", str(_font_file("DejaVuSans-Bold.ttf")))
        self.set_title(f"Karta weryfikacji zagrożenia {card.task_id}")
        self.set_creator("KMZB")
        self.set_lang("pl-PL")
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, "", 8)
        self.cell(0, 6, f"KMZB · zadanie {self._card.task_id} · strona {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(_FONT, "B", 12)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, border="B")
        self.ln(1)

    def lines(self, rows: list[CardLine]) -> None:
        for row in rows:
            self.set_font(_FONT, "B", 10)
            self.cell(58, 6, row.label)
            self.set_font(_FONT, "", 10)
            self.multi_cell(0, 6, row.value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraphs(self, texts: list[str], empty: str) -> None:
        self.set_font(_FONT, "", 10)
        for text in texts or [empty]:
            self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)


def render_card(card: VerificationCard) -> bytes:
    """The card as PDF bytes (fonts subset and embedded)."""
    pdf = _Card(card)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.cell(0, 10, "Karta weryfikacji zagrożenia", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 11)
    pdf.cell(0, 6, card.unit_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 9)
    pdf.cell(
        0,
        5,
        f"Zadanie {card.task_id} · wygenerowano {local_time(card.generated_at)}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.heading("1. Zagrożenie")
    pdf.lines(card.threat)
    pdf.heading("Zgłoszenia")
    pdf.paragraphs(card.reports, "Brak opisów w zgłoszeniach.")
    pdf.heading("2. Przegląd (koordynator)")
    pdf.lines(card.review)
    pdf.heading("3. Weryfikacja")
    pdf.lines(card.verification)
    pdf.heading("Ustalenia i notatki")
    pdf.paragraphs(card.notes, "Brak notatek.")
    return bytes(pdf.output())
