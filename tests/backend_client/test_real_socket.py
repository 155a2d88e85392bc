"""The client against the real portal over a real TCP socket (uvicorn in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from backend_client import NotFoundError, PortalClient
from tests.conftest import BOT_TOKEN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("portal did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def test_catalog_and_draft_over_http(served: str) -> None:
    async with PortalClient(served, BOT_TOKEN) as client:
        procedures = await client.list_procedures()
        assert len(procedures) == 13
        draft = await client.create_application("telegram:99", procedures[0].slug)
        assert (await client.get_application("telegram:99", draft.id)).status == "draft"
        with pytest.raises(NotFoundError):
            await client.get_procedure("nope")
