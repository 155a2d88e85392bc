"""Request bodies are limited while they stream, before authentication (issue 10, finding 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from portal.api.bodylimit import JSON_BODY_LIMIT, MULTIPART_OVERHEAD
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN

CHUNK = 64 * 1024
HUGE = 500 * 1024 * 1024
AS_ANA = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": "telegram:9001"}


class Endless:
    """A 500 MB body produced on demand, counting what the server pulled."""

    def __init__(self, head: bytes = b"") -> None:
        self.head = head
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent += len(self.head)
        yield self.head
        while self.sent < HUGE:
            self.sent += CHUNK
            yield b"x" * CHUNK


async def test_a_huge_upload_without_a_token_is_refused_before_it_is_read(
    http: httpx.AsyncClient, settings: PortalSettings
) -> None:
    body = Endless(
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    response = await http.post(
        "/v1/applications/abc/documents",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert body.sent <= settings.max_upload_bytes + MULTIPART_OVERHEAD + CHUNK


async def test_a_declared_length_over_the_limit_is_refused_unread(http: httpx.AsyncClient) -> None:
    body = Endless()
    response = await http.post(
        "/v1/payments/callback",
        content=body,
        headers={"Content-Length": str(HUGE), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert body.sent == 0


async def test_a_json_body_over_its_limit_is_refused(http: httpx.AsyncClient) -> None:
    body = Endless()
    response = await http.patch("/v1/applications/abc/answers", content=body, headers=AS_ANA)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "http_413"
    assert body.sent <= JSON_BODY_LIMIT + CHUNK


async def test_an_upload_over_the_limit_is_413(
    http: httpx.AsyncClient, settings: PortalSettings
) -> None:
    draft = await http.post(
        "/v1/applications", json={"procedure": "birth_registration"}, headers=AS_ANA
    )
    big = b"\xff" * (settings.max_upload_bytes + MULTIPART_OVERHEAD + 1)
    response = await http.post(
        f"/v1/applications/{draft.json()['id']}/documents",
        data={"code": "x"},
        files={"file": ("big.jpg", big, "image/jpeg")},
        headers=AS_ANA,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
