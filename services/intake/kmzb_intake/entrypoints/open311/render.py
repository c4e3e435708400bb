"""GeoReport v2 answers: the same body as JSON or XML, and errors as a list of {code, description}."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from kmzb_common.http import ApiError

__all__ = ["MEDIA", "check_format", "render", "render_error", "w3c"]

MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_LIST_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def check_format(fmt: str) -> str:
    """``fmt`` when it is json or xml; 404 otherwise."""
    if fmt not in MEDIA:
        raise ApiError(
            404, "unknown_format", "Nieznany format: użyj .json lub .xml.", "Unknown format: use .json or .xml."
        )
    return fmt


def w3c(value: datetime | None) -> str | None:
    """A W3C date-time in UTC with a Z, or None."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                _xml_object(child, _LIST_ITEMS[tag], item)
            else:
                ET.SubElement(child, _LIST_ITEMS[tag]).text = str(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _xml_object(parent: ET.Element, tag: str, obj: Mapping[str, Any]) -> None:
    node = ET.SubElement(parent, tag)
    for k, v in obj.items():
        _xml_value(node, k, v)


def render(
    fmt: str, body: Any, *, root: str, item: str | None, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """``body`` (an object, or a list of ``item`` objects) under ``root`` in ``fmt``."""
    if fmt == "xml":
        top = ET.Element(root)
        if item is None:
            for k, v in body.items():
                _xml_value(top, k, v)
        else:
            for obj in body:
                _xml_object(top, item, obj)
        content = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type=MEDIA[fmt], headers=headers)


def render_error(request: Request, err: ApiError, *, status: int | None = None) -> Response:
    """The error in the request's format (JSON for an unknown one), described in the asked language.

    The description ends with the stable machine code in brackets, e.g. "(invalid_api_key)".
    """
    fmt = request.path_params.get("fmt")
    english = request.headers.get("accept-language", "").strip().lower().startswith("en")
    code = status or err.status
    description = f"{err.message_en if english else err.message_pl} ({err.code})"
    return render(
        fmt if fmt in MEDIA else "json",
        [{"code": code, "description": description}],
        root="errors",
        item="error",
        status=code,
        headers=err.headers,
    )
