"""Per-chat ordering: updates are queued per chat as they arrive and one task per chat
works through its queue, so a chat's messages are handled in arrival order while other
chats go on in parallel. A webhook call is answered as soon as its update is queued."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class ChatQueues(Generic[T]):
    def __init__(self, work: Callable[[str, T], Awaitable[None]]) -> None:
        self.work = work
        self._queues: dict[str, deque[T]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def put(self, chat: str, item: T) -> None:
        queue = self._queues.get(chat)
        if queue is None:
            queue = self._queues[chat] = deque()
            self._tasks[chat] = asyncio.create_task(self._run(chat), name=f"zalo-{chat}")
        queue.append(item)

    async def _run(self, chat: str) -> None:
        queue = self._queues[chat]
        try:
            while queue:
                item = queue.popleft()
                try:
                    await self.work(chat, item)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("Zalo update for %s failed", chat)
        finally:
            del self._queues[chat]
            del self._tasks[chat]

    async def drain(self) -> None:
        """Wait until every queued update is handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def cancel(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
