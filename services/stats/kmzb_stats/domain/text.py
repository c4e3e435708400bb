"""Polish (and English) sentence helpers: plural forms and numbers with a decimal comma (pure)."""

from __future__ import annotations

__all__ = ["plural_pl", "number_pl", "number_en"]


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """The Polish form for ``n``: 1 zgłoszenie, 2–4 (not 12–14) zgłoszenia, else zgłoszeń."""
    n = abs(n)
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def number_pl(x: float, digits: int = 0) -> str:
    """A number as pl-PL writes it: decimal comma, a no-break space between thousands from 10 000."""
    text = f"{x:,.{digits}f}"
    whole = text.split(".")[0].lstrip("-")
    if len(whole.replace(",", "")) < 5:
        text = text.replace(",", "")
    return text.replace(",", "\u00a0").replace(".", ",")


def number_en(x: float, digits: int = 0) -> str:
    """A number as en writes it: decimal point, thousands separated by commas."""
    return f"{x:,.{digits}f}"
