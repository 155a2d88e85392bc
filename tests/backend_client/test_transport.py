"""Retries, backoff and error mapping, with httpx's MockTransport as the network seam."""

from __future__ import annotations

import httpx
import pytest

from backend_client import (
    ConflictError,
    NotFoundError,
    PortalClient,
    RateLimitedError,
    UnavailableError,
    ValidationFailedError,
)


def _client(handler: httpx.MockTransport, retries: int = 3) -> PortalClient:
    return PortalClient("http://portal", "t", transport=handler, retries=retries, backoff=0.001)


def _error(status: int, code: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": {"vi": "v", "en": "e"}, "fields": []}}
    )


TRACK = {
    "tracking_code": "PX-2026-22222A",
    "procedure": "certified_copy",
    "procedure_name": {"vi": "a", "en": "b"},
    "status": "received",
    "status_label": {"vi": "a", "en": "b"},
    "due_date": None,
}


async def test_idempotent_calls_are_retried_after_5xx() -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return _error(503, "down") if len(calls) < 3 else httpx.Response(200, json=TRACK)

    async with _client(httpx.MockTransport(handle)) as client:
        result = await client.track("PX-2026-22222A")
    assert result.status == "received" and len(calls) == 3


async def test_gives_up_with_unavailable() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with _client(httpx.MockTransport(handle), retries=2) as client:
        with pytest.raises(UnavailableError) as err:
            await client.track("x")
    assert err.value.message["vi"] and err.value.message["en"]


async def test_non_idempotent_post_is_not_repeated_after_a_5xx() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return _error(500, "internal_error")

    async with _client(httpx.MockTransport(handle)) as client:
        with pytest.raises(UnavailableError):
            await client.create_application("telegram:1", "certified_copy")
    assert calls == 1


async def test_submit_carries_its_idempotency_key_on_every_retry() -> None:
    keys: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("Idempotency-Key"))
        if len(keys) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return _error(409, "already_submitted")

    async with _client(httpx.MockTransport(handle)) as client:
        with pytest.raises(ConflictError):
            await client.submit("telegram:1", "abc", "key-42")
    assert keys == ["key-42", "key-42"]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationFailedError),
        (429, RateLimitedError),
    ],
)
async def test_errors_map_to_distinct_exceptions(status: int, kind: type[Exception]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return _error(status, "x")

    async with _client(httpx.MockTransport(handle), retries=0) as client:
        with pytest.raises(kind):
            await client.get_application("telegram:1", "abc")


async def test_field_errors_are_parsed() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            json={
                "error": {
                    "code": "validation_failed",
                    "message": {"vi": "v", "en": "e"},
                    "fields": [
                        {"field": "dob", "code": "bad_date", "message": {"vi": "a", "en": "b"}}
                    ],
                }
            },
        )

    async with _client(httpx.MockTransport(handle)) as client:
        with pytest.raises(ValidationFailedError) as err:
            await client.set_answers("telegram:1", "abc", {"dob": "x"})
    assert err.value.fields[0].field == "dob" and err.value.fields[0].code == "bad_date"


async def test_non_json_error_body() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    async with _client(httpx.MockTransport(handle), retries=0) as client:
        with pytest.raises(UnavailableError):
            await client.list_procedures()
