"""The network transport (httpx over aiohttp) against raw sockets: what may be retried
depends on whether the request can have reached the portal."""

from __future__ import annotations

import asyncio
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
