"""Officers fetch the files of reports in their units: full size or as a thumbnail.

Only officers, coordinators and admins whose units cover the report's unit chain get a file
(401 without a token, 403 outside the scope, 404 for an unknown id). Photos are shown inline,
everything else (videos, PDF, DOC, TXT) is a download. Every answer forbids sniffing, framing
and scripts, so a hostile file cannot run in the page's origin.
"""

# No `from __future__ import annotations`: FastAPI must evaluate the Annotated dependency that
# closes over the verifier when the route is defined.

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from kmzb_common.auth import Principal, Role, TokenVerifier, bearer_principal
from kmzb_common.http import ApiError

from ..domain.images import IMAGE_TYPES, thumbnail
from ..domain.validation import ReportRejected
from ..workflow import AttachmentForbidden, AttachmentNotFound, IntakeService
from .errors import as_api_error

__all__ = ["build_attachment_router", "FILE_HEADERS"]

FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'",
    "Cache-Control": "private, max-age=300",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "video/3gpp": "3gp",
    "video/quicktime": "mov",
    "application/msword": "doc",
    "text/plain": "txt",
}

AttachmentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f-]+$", description="Attachment id")]


def build_attachment_router(service: IntakeService, *, verifier: TokenVerifier) -> APIRouter:
    """GET /api/v1/attachments/{id} and its thumbnail, for officers of the report's units."""
    router = APIRouter(prefix="/api/v1", tags=["officers"])
    PrincipalDep = Annotated[Principal, Depends(bearer_principal(verifier))]
    responses = {
        401: {"description": "Brak logowania"},
        403: {"description": "Zgłoszenie spoza jednostek funkcjonariusza"},
        404: {"description": "Nieznany załącznik"},
    }

    async def load(principal: Principal, attachment_id: str) -> tuple[str, bytes]:
        if not principal.has_role(Role.OFFICER, Role.COORDINATOR):
            raise ApiError(
                403,
                "attachments_forbidden",
                "Załączniki widzą tylko funkcjonariusze jednostki, do której trafiło zgłoszenie.",
                "Only officers of the report's unit see its attachments.",
            )
        try:
            meta, data = await service.attachment_for(attachment_id, may_see=principal.covers)
        except (AttachmentNotFound, AttachmentForbidden) as exc:
            raise as_api_error(exc) from None
        return meta.content_type, data

    @router.get("/attachments/{attachment_id}", summary="Załącznik zgłoszenia (funkcjonariusze)", responses=responses)
    async def attachment(attachment_id: AttachmentId, principal: PrincipalDep) -> Response:
        content_type, data = await load(principal, attachment_id)
        disposition = "inline" if content_type in IMAGE_TYPES else "attachment"
        name = f"zalacznik-{attachment_id[:8]}.{_EXTENSIONS.get(content_type, 'bin')}"
        headers = {**FILE_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'}
        media = "text/plain; charset=utf-8" if content_type == "text/plain" else content_type
        return Response(data, media_type=media, headers=headers)

    @router.get(
        "/attachments/{attachment_id}/thumbnail",
        summary="Miniatura zdjęcia (JPEG, do 320 px)",
        responses={**responses, 415: {"description": "Załącznik nie jest zdjęciem"}},
    )
    async def attachment_thumbnail(attachment_id: AttachmentId, principal: PrincipalDep) -> Response:
        content_type, data = await load(principal, attachment_id)
        if content_type not in IMAGE_TYPES:
            raise ApiError(
                415,
                "not_an_image",
                "Ten załącznik nie jest zdjęciem: pobierz go w całości.",
                "This attachment is not a photo: download it whole.",
            )
        try:
            small = thumbnail(data)
        except ReportRejected as exc:
            raise as_api_error(exc) from None
        name = f"miniatura-{attachment_id[:8]}.jpg"
        headers = {**FILE_HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
        return Response(small, media_type="image/jpeg", headers=headers)

    return router
