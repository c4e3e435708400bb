"""Officers fetch report files: photos stripped of EXIF when stored, only within their units' scope."""

import hashlib
import io
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kmzb_common.auth import AuthSettings, TokenIssuer
from kmzb_contracts import AttachmentRef, Channel, H3Cells, ReportRouted, ReportSubmitted, UnitRef
from kmzb_intake.entrypoints.support import DEVICE_COOKIE

SECRET = "auth-secret-" + "a" * 20
CHAIN = (
    UnitRef(unit_id="KGP", name_pl="Komenda Główna Policji", type="KGP"),
    UnitRef(unit_id="KWP-12", name_pl="KWP w Krakowie", type="KWP"),
    UnitRef(unit_id="KMP-1261", name_pl="KMP w Krakowie", type="KMP"),
)


def _auth(user: str) -> dict[str, str]:
    token = TokenIssuer(AuthSettings(hs256_secret=SECRET, dev_login=True)).login(user, "demo")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def parts(intake_factory):
    app, publisher, db, clock, service, settings = intake_factory(auth={"hs256_secret": SECRET})
    with TestClient(app) as client:
        yield client, service


def _upload(client: TestClient, data: bytes, name: str) -> dict:
    client.cookies.set(DEVICE_COOKIE, uuid.uuid4().hex)
    resp = client.post("/api/v1/attachments", files={"file": (name, data, "application/octet-stream")})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _route(service, *refs: dict) -> None:
    """The geo-router's answer for a report carrying the files, as the projection records it."""
    report = ReportSubmitted(
        event_id=uuid.uuid4(),
        report_id=uuid.uuid4(),
        category="DZIKIE_WYSYPISKA",
        lat=50.0614,
        lon=19.9366,
        channel=Channel.WEB,
        submitted_at=datetime.now(UTC),
        attachments=tuple(
            AttachmentRef(
                attachment_id=r["attachment_id"], content_type=r["content_type"], size=r["size"], sha256=r["sha256"]
            )
            for r in refs
        ),
    )
    cells = H3Cells(routing="871e2d8e6ffffff", dedup="891e2d8e6b3ffff", hotspot="881e2d8e6bfffff")
    service.reports.record_routed(
        ReportRouted(
            event_id=uuid.uuid4(),
            report=report,
            cells=cells,
            unit_id="KMP-1261",
            unit_chain=CHAIN,
            jurisdiction_version="test",
            routed_at=datetime.now(UTC),
        )
    )


def test_a_stored_photo_has_no_gps_or_camera_metadata_and_its_hash_is_of_the_stripped_bytes(parts, gps_photo):
    """The upload keeps the pixels but drops EXIF; the hash handed back matches what is stored."""
    client, service = parts
    meta = _upload(client, gps_photo, "zdjecie.jpg")
    stored = service._attachments.read(meta["attachment_id"])
    image = Image.open(io.BytesIO(stored))
    assert image.size == (640, 480)
    assert dict(image.getexif()) == {} and b"KameraTest" not in stored and b"Exif" not in stored
    assert meta["sha256"] == hashlib.sha256(stored).hexdigest() and meta["size"] == len(stored)


def test_a_sideways_photo_is_turned_upright_before_its_orientation_tag_goes(parts):
    """An EXIF orientation of 6 (rotated 90°) is applied to the pixels, so the photo does not flip."""
    client, service = parts
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    Image.new("RGB", (400, 100), (0, 0, 0)).save(out, "JPEG", exif=exif)
    stored = service._attachments.read(_upload(client, out.getvalue(), "bok.jpg")["attachment_id"])
    assert Image.open(io.BytesIO(stored)).size == (100, 400)


def test_a_jpeg_header_on_broken_bytes_is_refused_with_a_reason_and_not_stored(parts):
    """Bytes that start like a JPEG but do not decode are a 422, never a 500."""
    client, service = parts
    client.cookies.set(DEVICE_COOKIE, uuid.uuid4().hex)
    resp = client.post("/api/v1/attachments", files={"file": ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "unreadable_image"


def test_an_officer_of_the_unit_gets_the_photo_inline_with_protective_headers(parts, gps_photo):
    """Kraków's coordinator sees the photo: inline, nosniff, a CSP that runs nothing, no EXIF GPS."""
    client, service = parts
    meta = _upload(client, gps_photo, "zdjecie.jpg")
    _route(service, meta)
    resp = client.get(f"/api/v1/attachments/{meta['attachment_id']}", headers=_auth("koordynator.krakow"))
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/jpeg"
    assert resp.headers["content-disposition"].startswith("inline;")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in resp.headers["content-security-policy"]
    assert "sandbox" in resp.headers["content-security-policy"]
    assert 0x8825 not in Image.open(io.BytesIO(resp.content)).getexif()
    thumb = client.get(f"/api/v1/attachments/{meta['attachment_id']}/thumbnail", headers=_auth("koordynator.kwp12"))
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.content)).size) == 320


def test_a_document_is_served_as_a_download_and_has_no_thumbnail(parts):
    """A PDF never opens inline in the officer's browser; asking for its thumbnail is a 415 with a reason."""
    client, service = parts
    meta = _upload(client, b"%PDF-1.4\n" + b"x" * 100, "pismo.pdf")
    _route(service, meta)
    resp = client.get(f"/api/v1/attachments/{meta['attachment_id']}", headers=_auth("dzielnicowy.krakow"))
    assert resp.status_code == 200 and resp.headers["content-disposition"].startswith("attachment;")
    assert resp.headers["content-disposition"].endswith('.pdf"')
    thumb = client.get(f"/api/v1/attachments/{meta['attachment_id']}/thumbnail", headers=_auth("dzielnicowy.krakow"))
    assert thumb.status_code == 415 and thumb.json()["error"]["code"] == "not_an_image"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "missing_token"),
        ("dzielnicowy.gdansk", 403, "attachment_forbidden"),
        ("analityk.kgp", 403, "attachments_forbidden"),
    ],
)
def test_outside_the_scope_the_photo_is_refused(parts, gps_photo, headers, status, code):
    """No token is 401; an officer of Gdańsk or a (read-only) analyst gets 403, with a reason."""
    client, service = parts
    meta = _upload(client, gps_photo, "zdjecie.jpg")
    _route(service, meta)
    resp = client.get(
        f"/api/v1/attachments/{meta['attachment_id']}", headers=_auth(headers) if isinstance(headers, str) else {}
    )
    assert resp.status_code == status and resp.json()["error"]["code"] == code
    assert resp.content.find(b"\xff\xd8") == -1


def test_an_unknown_or_not_yet_routed_attachment_is_404(parts, gps_photo):
    """An id no routed report carries is 404 with a reason, even when the file was uploaded."""
    client, _ = parts
    unrouted = _upload(client, gps_photo, "zdjecie.jpg")["attachment_id"]
    for attachment_id in (unrouted, str(uuid.uuid4())):
        resp = client.get(f"/api/v1/attachments/{attachment_id}", headers=_auth("admin"))
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "attachment_not_found"
