"""Photos without their metadata: EXIF (GPS position, camera, owner), XMP, IPTC and text chunks go.

Pillow decodes the picture and writes the pixels again, so nothing of the original's metadata
segments survives; the EXIF orientation is applied to the pixels first, so a photo taken on its
side still shows upright once its EXIF is gone. Decompression bombs and unreadable files are refused.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .validation import ReportRejected

__all__ = ["IMAGE_TYPES", "strip_metadata", "thumbnail"]

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
# 40 megapixels: more than any phone camera; a larger canvas is a decompression bomb.
MAX_PIXELS = 40_000_000
THUMBNAIL_PX = 320


def _unreadable() -> ReportRejected:
    return ReportRejected(
        "unreadable_image",
        "file",
        "Nie można odczytać zdjęcia. Prześlij plik JPG lub PNG jeszcze raz.",
        "The photo cannot be read. Upload the JPG or PNG file again.",
    )


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise _unreadable()
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _unreadable() from exc
    return ImageOps.exif_transpose(image)


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """The photo's pixels re-encoded without any metadata; other types are returned as they are."""
    fmt = IMAGE_TYPES.get(content_type)
    if fmt is None:
        return data
    image = _open(data)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def thumbnail(data: bytes) -> bytes:
    """A JPEG at most THUMBNAIL_PX on its longer side, for the officers' task view."""
    image = _open(data)
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
