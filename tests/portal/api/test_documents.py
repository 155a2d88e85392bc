from __future__ import annotations

import hashlib

import pytest

from backend_client import ConflictError, NotFoundError, PortalClient, ValidationFailedError
from tests.support.images import MINIMAL_PDF, photo

ANA = "telegram:2001"


async def _draft(portal: PortalClient) -> tuple[str, str]:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, "birth_registration")
    return app.id, proc.documents[0].code


async def test_photo_is_checked_stored_and_readable_by_owner_only(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    data = photo()
    doc = await portal.upload_document(ANA, app_id, code, data, filename="../../etc/x.jpg")
    assert doc.format == "jpeg" and doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.filename == "x.jpg" and doc.width == 1200
    assert await portal.get_document_content(ANA, app_id, doc.id) == data
    with pytest.raises(NotFoundError):
        await portal.get_document_content("telegram:9", app_id, doc.id)


async def test_content_not_name_decides(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    with pytest.raises(ValidationFailedError) as err:
        await portal.upload_document(ANA, app_id, code, b"hello, I am text", filename="a.jpg")
    assert err.value.fields and err.value.fields[0].message["vi"]
    png_named_pdf = await portal.upload_document(
        ANA, app_id, code, photo(fmt="PNG"), filename="scan.pdf"
    )
    assert png_named_pdf.format == "png"


async def test_small_and_truncated_images_are_refused(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    with pytest.raises(ValidationFailedError) as small:
        await portal.upload_document(ANA, app_id, code, photo(200, 150))
    assert small.value.code == "too_small"
    with pytest.raises(ValidationFailedError) as cut:
        await portal.upload_document(ANA, app_id, code, photo()[:5000])
    assert cut.value.code == "corrupt"


async def test_pdf_and_retake(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    doc = await portal.upload_document(ANA, app_id, code, MINIMAL_PDF, filename="giay.pdf")
    assert doc.format == "pdf" and doc.pages == 1
    await portal.delete_document(ANA, app_id, doc.id)
    app = await portal.get_application(ANA, app_id)
    assert app.documents == []


async def test_unknown_document_code(portal: PortalClient) -> None:
    app_id, _ = await _draft(portal)
    with pytest.raises(NotFoundError):
        await portal.upload_document(ANA, app_id, "passport_of_the_cat", photo())


async def test_too_many_files(portal: PortalClient) -> None:
    proc = await portal.get_procedure("birth_registration")
    spec = proc.documents[0]
    app = await portal.create_application(ANA, "birth_registration")
    for i in range(spec.max_files):
        await portal.upload_document(ANA, app.id, spec.code, photo(text=str(i)))
    with pytest.raises(ConflictError):
        await portal.upload_document(ANA, app.id, spec.code, photo(text="more"))
