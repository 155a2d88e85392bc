"""The network transport (httpx over aiohttp) against raw sockets: what may be retried
depends on whether the request can have reached the portal."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from backend_client import PortalClient, UnavailableError
from backend_client._transport import _NetworkTransport


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DroppingServer:
    """Reads each request, then closes the connection without answering."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head.split(b"\r\n", 1)[0])
        writer.close()


@pytest.fixture
async def dropping() -> AsyncIterator[tuple[DroppingServer, str]]:
    server = DroppingServer()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield server, f"http://127.0.0.1:{port}"


async def test_a_refused_connection_is_a_connect_error() -> None:
    # The one failure after which even a create may be sent again (nothing went out).
    async with httpx.AsyncClient(transport=_NetworkTransport()) as http:
        with pytest.raises(httpx.ConnectError):
            await http.post(f"http://127.0.0.1:{_closed_port()}/v1/applications", json={})


async def test_a_create_to_a_portal_that_is_down_says_unavailable() -> None:
    async with PortalClient(
        f"http://127.0.0.1:{_closed_port()}", "t", retries=2, backoff=0.001
    ) as client:
        with pytest.raises(UnavailableError):
            await client.create_application("telegram:1", "certified_copy")


async def test_a_create_whose_connection_drops_is_not_sent_twice(
    dropping: tuple[DroppingServer, str],
) -> None:
    server, url = dropping
    async with PortalClient(url, "t", retries=3, backoff=0.001) as client:
        with pytest.raises(UnavailableError):
            await client.create_application("telegram:1", "certified_copy")
    assert server.requests == [b"POST /v1/applications HTTP/1.1"]


async def test_a_lookup_whose_connection_drops_is_retried(
    dropping: tuple[DroppingServer, str],
) -> None:
    server, url = dropping
    async with PortalClient(url, "t", retries=2, backoff=0.001) as client:
        with pytest.raises(UnavailableError):
            await client.track("PX-2026-22222A")
    # Our three attempts; aiohttp may itself resend an idempotent request once when
    # the connection drops, so the portal can see up to twice as many.
    assert 3 <= len(server.requests) <= 6


class RecordingServer:
    """Answers every request with a draft application, keeping what it was sent."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests: list[tuple[bytes, dict[str, str], bytes]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n"):  # a kept-alive connection
            first, *lines = head.decode().strip().split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append((first.encode(), headers, body))
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(self.answer)}\r\n\r\n".encode()
                + self.answer
            )
            await writer.drain()


async def test_a_request_over_the_network_carries_its_json_query_and_identity() -> None:
    answer = (
        b'{"tracking_code":"PX-2026-22222A","procedure":"certified_copy",'
        b'"procedure_name":{"vi":"a"},"status":"received","status_label":{"vi":"a"}}'
    )
    server = RecordingServer(answer)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    async with listener, PortalClient(url, "tok", retries=0) as client:
        found = await client.track("PX-2026-22222A", citizen="telegram:7")
        await client._http.request(  # the transport alone: the answer is no application
            "PATCH",
            "/v1/applications/app-1/answers",
            idempotent=True,
            citizen="telegram:7",
            json={"answers": {"full_name": "Lê Thị Mai"}},
        )
        await client.get_payment_card("telegram:7", "app-1", lang="en")
    assert found.status == "received"
    (track, track_headers, _), (patch, headers, body), (card, _, _) = server.requests
    assert track == b"GET /v1/track/PX-2026-22222A HTTP/1.1"
    assert track_headers["x-citizen"] == "telegram:7"
    assert track_headers["authorization"] == "Bearer tok"
    assert patch == b"PATCH /v1/applications/app-1/answers HTTP/1.1"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"answers": {"full_name": "Lê Thị Mai"}}
    assert card == b"GET /v1/applications/app-1/payment/card.png?lang=en HTTP/1.1"
