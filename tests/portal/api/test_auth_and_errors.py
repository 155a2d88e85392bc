from __future__ import annotations

import httpx

from tests.conftest import BOT_TOKEN, CLERK_TOKEN


def _bot(citizen: str | None = "telegram:1") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {BOT_TOKEN}"}
    if citizen:
        headers["X-Citizen"] = citizen
    return headers


async def test_requests_without_a_token_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/applications")
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "missing_token" and body["message"]["vi"]


async def test_wrong_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/applications", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_token"


async def test_malformed_citizen_identity(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/applications", headers=_bot("not an identity"))
    assert response.status_code == 422


async def test_malformed_json_gets_a_clear_4xx(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/applications",
        content=b"{not json",
        headers=_bot() | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_unknown_route_uses_the_same_error_shape(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/nowhere")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


async def test_citizens_cannot_use_staff_routes(http: httpx.AsyncClient) -> None:
    assert (await http.get("/v1/staff/queue", headers=_bot())).status_code == 403
    assert (await http.get("/v1/events", headers=_bot())).status_code == 403


async def test_staff_and_bot_read_the_event_feed(http: httpx.AsyncClient) -> None:
    for headers in (_bot(None), {"Authorization": f"Bearer {CLERK_TOKEN}"}):
        response = await http.get("/v1/events?after=0", headers=headers)
        assert response.status_code == 200 and response.json()["next_cursor"] == 0
