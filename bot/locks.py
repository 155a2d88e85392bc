"""Per-chat locks: the updates of one chat are handled one at a time, in order.

Inside one process an ``asyncio.Lock`` per key (FIFO, so arrival order is kept);
with Redis, also a Redis lock so several bot workers serialise the same chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


class ChatLocks:
    def __init__(
        self,
        redis: Any | None = None,
        *,
        timeout: float = 60.0,
        blocking_timeout: float = 30.0,
        prefix: str = "motcua:chat:",
    ) -> None:
        self.redis = redis  # a redis.asyncio.Redis, or None for one process
        self.timeout = timeout  # a crashed worker's lock expires after this
        self.blocking_timeout = blocking_timeout
        self.prefix = prefix
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @classmethod
    def from_url(cls, redis_url: str | None, **kwargs: Any) -> ChatLocks:
        if not redis_url:
            return cls(**kwargs)
        import redis.asyncio as aioredis

        return cls(aioredis.from_url(redis_url), **kwargs)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._local.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                if self.redis is None:
                    yield
                else:
                    async with self.redis.lock(
                        self.prefix + key,
                        timeout=self.timeout,
                        blocking_timeout=self.blocking_timeout,
                    ):
                        yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle chats: memory stays bounded
                del self._users[key]
                self._local.pop(key, None)

    def locked(self, key: str) -> bool:
        lock = self._local.get(key)
        return lock is not None and lock.locked()

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
