"""Responses that carry a file: never sniffed into another type, papers offered as
attachments under a safe name."""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from backend_client import PortalClient
from tests.conftest import BOT_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:4001"
AS_ANA = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA}


async def test_a_paper_is_downloaded_as_an_attachment_under_its_safe_name(
    portal: PortalClient, http: httpx.AsyncClient
) -> None:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, "birth_registration")
    code = proc.documents[0].code
    named = await portal.upload_document(ANA, app.id, code, photo(), filename="Giấy chứng sinh.jpg")
    response = await http.get(f"/v1/applications/{app.id}/documents/{named.id}", headers=AS_ANA)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Giay chung sinh.jpg"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Giấy chứng sinh.jpg"

    disguised = await portal.upload_document(
        ANA, app.id, code, photo(text="2"), filename="a\u202egpj.exe"
    )
    response = await http.get(f"/v1/applications/{app.id}/documents/{disguised.id}", headers=AS_ANA)
    disposition = response.headers["content-disposition"]
    assert "\u202e" not in unquote(disposition) and "%E2%80%AE" not in disposition
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "agpj.exe"


async def test_the_payment_qr_is_not_sniffed(
    portal: PortalClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("signature_certification")
    app = await portal.create_application(ANA, "signature_certification")
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    await portal.submit(ANA, app.id, "k")
    response = await http.get(f"/v1/applications/{app.id}/payment/qr.png", headers=AS_ANA)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_response_says_nosniff(http: httpx.AsyncClient) -> None:
    for path in ("/v1/health", "/docs-assets/swagger-ui.css", "/v1/no-such-thing", "/docs"):
        response = await http.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_every_response_says_nosniff_once(http: httpx.AsyncClient) -> None:
    """JSON, errors, the docs and a refusal before the app is reached alike; a response
    that sets the header itself keeps one."""
    responses = [
        await http.get("/v1/health"),
        await http.get("/v1/nowhere"),
        await http.get("/v1/applications"),  # 401: no token
        await http.get("/docs"),
        await http.post(
            "/v1/payments/callback",
            content=b"{}",
            headers={"Content-Length": str(10**9), "Content-Type": "application/json"},
        ),
    ]
    assert [r.status_code for r in responses] == [200, 404, 401, 200, 413]
    for response in responses:
        assert response.headers.get_list("x-content-type-options") == ["nosniff"], response
