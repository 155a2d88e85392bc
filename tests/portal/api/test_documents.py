from __future__ import annotations

import hashlib
import io

import httpx
import pypdf
import pytest
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from backend_client import (
    ConflictError,
    NotFoundError,
    PortalClient,
    StaffClient,
    ValidationFailedError,
)
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import MINIMAL_PDF, photo

ANA = "telegram:2001"


async def _draft(portal: PortalClient) -> tuple[str, str]:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, "birth_registration")
    return app.id, proc.documents[0].code


async def test_photo_is_checked_stored_and_readable_by_owner_only(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    doc = await portal.upload_document(ANA, app_id, code, photo(), filename="../../etc/x.jpg")
    assert doc.format == "jpeg" and doc.filename == "x.jpg" and doc.width == 1200
    stored = await portal.get_document_content(ANA, app_id, doc.id)
    assert doc.sha256 == hashlib.sha256(stored).hexdigest() and doc.size == len(stored)
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


async def test_what_rides_on_a_photo_is_not_stored(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    page = b"<html><script>fetch('/v1/applications')</script></html>"
    doc = await portal.upload_document(ANA, app_id, code, photo() + page)
    stored = await portal.get_document_content(ANA, app_id, doc.id)
    assert page not in stored and stored.endswith(b"\xff\xd9")
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()


async def test_a_pdf_that_runs_javascript_is_refused(
    portal: PortalClient, http: httpx.AsyncClient
) -> None:
    app_id, code = await _draft(portal)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('http://x.example')"),
        }
    )
    buf = io.BytesIO()
    writer.write(buf)
    response = await http.post(
        f"/v1/applications/{app_id}/documents",
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA},
        data={"code": code},
        files={"file": ("don.pdf", buf.getvalue(), "application/pdf")},
    )
    assert response.status_code == 422
    field = response.json()["error"]["fields"][0]
    assert field["field"] == f"documents.{code}" and field["code"] == "pdf_javascript"
    assert "JavaScript" in field["message"]["en"] and "Bác" in field["message"]["vi"]
    assert (await portal.get_application(ANA, app_id)).documents == []


async def test_the_sent_name_is_kept_only_in_a_safe_form(portal: PortalClient) -> None:
    app_id, code = await _draft(portal)
    # Right-to-left override: "a\u202egpj.exe" shows as "aexe.jpg".
    disguised = await portal.upload_document(ANA, app_id, code, photo(), filename="a\u202egpj.exe")
    assert disguised.filename == "agpj.exe"
    named = await portal.upload_document(
        ANA, app_id, code, photo(text="2"), filename="C:\\Ảnh\\Giấy khai sinh\u2066.jpg"
    )
    assert named.filename == "Giấy khai sinh.jpg"


def _files(settings: PortalSettings, app_id: str) -> list[str]:
    folder = settings.upload_dir / app_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_removing_a_document_deletes_its_file_once_nothing_refers_to_it(
    portal: PortalClient, settings: PortalSettings
) -> None:
    proc = await portal.get_procedure("birth_registration")
    spec = next(d for d in proc.documents if d.max_files >= 2)
    app = await portal.create_application(ANA, "birth_registration")
    same = photo()
    first = await portal.upload_document(ANA, app.id, spec.code, same)
    second = await portal.upload_document(ANA, app.id, spec.code, same)
    other = await portal.upload_document(ANA, app.id, spec.code, photo(text="other"))
    assert first.sha256 == second.sha256
    assert len(_files(settings, app.id)) == 2  # one file for the two rows of the same content
    await portal.delete_document(ANA, app.id, first.id)
    assert len(_files(settings, app.id)) == 2  # the second row still refers to it
    assert await portal.get_document_content(ANA, app.id, second.id)
    await portal.delete_document(ANA, app.id, second.id)
    assert _files(settings, app.id) == [f"{other.sha256}.jpg"]
    await portal.delete_document(ANA, app.id, other.id)
    assert _files(settings, app.id) == []
    # The same content sent again is stored again.
    again = await portal.upload_document(ANA, app.id, spec.code, same)
    assert await portal.get_document_content(ANA, app.id, again.id)
    assert _files(settings, app.id) == [f"{again.sha256}.jpg"]


async def test_photos_replaced_at_resubmission_leave_no_file(
    portal: PortalClient, clerk: StaffClient, clock: FrozenClock, settings: PortalSettings
) -> None:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, proc.slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for doc in proc.documents:
        for i in range(doc.min_files):
            await portal.upload_document(ANA, app.id, doc.code, photo(text=f"{doc.code} {i}"))
    first = await portal.submit(ANA, app.id, "first")
    card = first.documents[0].code
    old = {f"{d.sha256}.jpg" for d in first.documents if d.code == card}
    assert old <= set(_files(settings, app.id))
    await clerk.act(app.id, "receive")
    clock.advance(minutes=5)
    await clerk.act(app.id, "request-supplement", documents=[card], note="Ảnh mờ")
    clock.advance(minutes=5)
    for i in range(len(old)):
        await portal.upload_document(ANA, app.id, card, photo(text=f"new {i}"))
    again = await portal.submit(ANA, app.id, "again")
    assert set(_files(settings, app.id)) == {f"{d.sha256}.jpg" for d in again.documents}
    assert not old & set(_files(settings, app.id))
