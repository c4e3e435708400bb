"""Attachment rules: what a file is by its content (magic bytes), never by its name."""

from __future__ import annotations

import re

from .validation import ReportRejected

__all__ = ["MAX_FILES", "MAX_TOTAL_BYTES", "sniff_content_type", "check_upload", "check_attachments_total"]

MAX_FILES = 3
MAX_TOTAL_BYTES = 5 * 1024 * 1024

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _is_text(data: bytes) -> bool:
    """UTF-8 without NUL or other control bytes that only binary formats (ZIP, EXE...) contain."""
    if _BINARY.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff_content_type(data: bytes) -> str | None:
    """The accepted type the bytes are (JPG, PNG, PDF, 3GP, MOV, DOC, TXT), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand.startswith(b"3g"):
            return "video/3gpp"
        if brand == b"qt  ":
            return "video/quicktime"
        return None
    if len(data) >= 8 and data[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video/quicktime"
    if data.startswith(_OLE2):
        return "application/msword"
    if data and _is_text(data):
        return "text/plain"
    return None


def check_attachments_total(sizes: list[int]) -> None:
    """At most three files of five megabytes together."""
    if len(sizes) > MAX_FILES:
        raise ReportRejected(
            "too_many_attachments",
            "attachments",
            f"Można dołączyć najwyżej {MAX_FILES} pliki.",
            f"At most {MAX_FILES} files may be attached.",
        )
    if sum(sizes) > MAX_TOTAL_BYTES:
        raise ReportRejected(
            "attachments_too_large",
            "attachments",
            "Załączniki mogą mieć razem najwyżej 5 MB.",
            "Attachments may have at most 5 MB together.",
        )


def check_upload(data: bytes) -> str:
    """The content type of an uploaded file, or ReportRejected when too large or of a refused type."""
    if len(data) > MAX_TOTAL_BYTES:
        check_attachments_total([len(data)])
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ReportRejected(
            "unsupported_attachment_type",
            "file",
            "Nieobsługiwany typ pliku. Dozwolone: JPG, PNG, PDF, 3GP, MOV, DOC, TXT.",
            "Unsupported file type. Allowed: JPG, PNG, PDF, 3GP, MOV, DOC, TXT.",
        )
    return content_type
