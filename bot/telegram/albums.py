"""Albums: Telegram delivers several photos sent together as separate messages with
one ``media_group_id``; they are gathered for a short while and handled as one upload."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram.types import Message

log = logging.getLogger(__name__)

OnAlbum = Callable[[list[Message]], Awaitable[None]]


class AlbumCollector:
    def __init__(self, on_album: OnAlbum, *, delay: float = 1.0) -> None:
        self.on_album = on_album
        self.delay = delay
        self._groups: dict[str, list[Message]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, message: Message) -> None:
        group = message.media_group_id
        assert group is not None
        if group in self._groups:
            self._groups[group].append(message)
            return
        self._groups[group] = [message]
        task = asyncio.create_task(self._flush_later(group))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_later(self, group: str) -> None:
        await asyncio.sleep(self.delay)
        messages = self._groups.pop(group, [])
        if not messages:
            return
        try:
            await self.on_album(messages)
        except Exception:
            log.exception("album %s failed", group)

    async def drain(self) -> None:
        """Wait for every album still being gathered (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
