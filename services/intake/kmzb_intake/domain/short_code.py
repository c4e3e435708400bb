"""The short number of a report ("9DF4-47F9"): the first 8 hex digits of its id, read out or typed back.

The confirmation shows it and the follow-up page accepts it in place of the full id; 32 bits tell
reports apart well enough for a person to find their own (a look-up that matches two ids finds none).
"""

from __future__ import annotations

import re

__all__ = ["parse_short_code", "short_code"]

_CODE = re.compile(r"^([0-9a-f]{4})[-\s]?([0-9a-f]{4})$")


def short_code(report_id: str) -> str:
    """The number shown to the resident: "9DF4-47F9"."""
    hex_digits = report_id.replace("-", "")[:8].upper()
    return f"{hex_digits[:4]}-{hex_digits[4:]}"


def parse_short_code(text: str) -> str | None:
    """The 8 lower-case hex digits of a typed number ("9df4 47f9", "9DF447F9"), or None if it is not one."""
    match = _CODE.match(text.strip().lower())
    return match[1] + match[2] if match else None
