"""What the notifier asks of the portal, and the client for it imported late.

`NotifierPortal` is the part of `backend_client.Backend` the notifier calls (the whole
client satisfies it). `DeferredPortal` is the one `python -m bot.notify` uses: the
client's import (httpx, pydantic models, retries: a third of a second of CPU) runs in
a thread once the process is up, so that a restarted notifier sends the rows already
due while the follower waits for it.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backend_client import Backend, EventsPage, Procedure, TrackResult


class NotifierPortal(Protocol):
    async def events(self, after: int = 0, limit: int = 100) -> EventsPage: ...

    async def get_procedure(self, slug: str) -> Procedure: ...

    async def track(self, code: str, citizen: str | None = None) -> TrackResult: ...

    async def aclose(self) -> None: ...


class DeferredPortal:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self._client: Backend | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Backend:
        async with self._lock:
            if self._client is None:
                module = await asyncio.to_thread(importlib.import_module, "backend_client")
                self._client = module.PortalClient(self.url, self.token)
            return self._client

    async def events(self, after: int = 0, limit: int = 100) -> EventsPage:
        return await (await self.client()).events(after=after, limit=limit)

    async def get_procedure(self, slug: str) -> Procedure:
        return await (await self.client()).get_procedure(slug)

    async def track(self, code: str, citizen: str | None = None) -> TrackResult:
        return await (await self.client()).track(code, citizen)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
