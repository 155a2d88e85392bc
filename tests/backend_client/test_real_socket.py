"""The client against the real portal over a real TCP socket (uvicorn in a thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from backend_client import NotFoundError, PortalClient
from tests.conftest import BOT_TOKEN
from tests.support.server import serve


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


async def test_catalog_and_draft_over_http(served: str) -> None:
    async with PortalClient(served, BOT_TOKEN) as client:
        procedures = await client.list_procedures()
        assert len(procedures) == 13
        draft = await client.create_application("telegram:99", procedures[0].slug)
        assert (await client.get_application("telegram:99", draft.id)).status == "draft"
        with pytest.raises(NotFoundError):
            await client.get_procedure("nope")
