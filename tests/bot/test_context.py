from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backend_client import PortalClient, Procedure, UnavailableError
from bot.context import ContextProvider


class CountingBackend:
    """The real portal client, counting catalog calls and able to go down."""

    def __init__(self, inner: PortalClient) -> None:
        self.inner = inner
        self.lists = 0
        self.down = False

    async def list_procedures(self) -> Any:
        self.lists += 1
        if self.down:
            raise UnavailableError(status=0, code="unavailable")
        return await self.inner.list_procedures()

    async def get_procedure(self, slug: str) -> Procedure:
        return await self.inner.get_procedure(slug)


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_catalog_is_fetched_once_then_refreshed(portal: PortalClient) -> None:
    backend = CountingBackend(portal)
    ticker = Ticker()
    now = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    provider = ContextProvider(
        backend,  # type: ignore[arg-type]
        bot_link="https://t.me/MotCuaBot",
        clock=lambda: now,
        monotonic=ticker,
    )
    ctx = await provider.get()
    assert "birth_registration" in ctx.procedures
    assert ctx.procedures["birth_registration"].fields  # full schemas, not summaries
    assert ctx.bot_link == "https://t.me/MotCuaBot" and ctx.now == now
    assert ctx.nlu.parse("khai sinh")["intent"]["name"]
    await provider.get()
    ticker.now += 599
    await provider.get()
    assert backend.lists == 1
    ticker.now += 2
    await provider.get()
    assert backend.lists == 2
    # The portal goes down: the loaded copy is kept.
    backend.down = True
    ticker.now += 601
    again = await provider.get()
    assert backend.lists == 3 and "birth_registration" in again.procedures


async def test_no_catalog_at_all_raises(portal: PortalClient) -> None:
    backend = CountingBackend(portal)
    backend.down = True
    provider = ContextProvider(backend)  # type: ignore[arg-type]
    with pytest.raises(UnavailableError):
        await provider.get()
