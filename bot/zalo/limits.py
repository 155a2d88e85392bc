"""Zalo's sending limits are not published: a token bucket for the whole bot
(ZALO_RATE_PER_SECOND, 10 by default) and a minimum gap per chat (ZALO_CHAT_RATE, 1
message/s), both paused by an error that asks to slow down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class SendLimits:
    def __init__(
        self,
        per_second: float = 10.0,
        per_chat: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_second
        self.gap = 1.0 / per_chat if per_chat > 0 else 0.0
        self.capacity = max(1.0, per_second / 5.0)
        self.tokens = self.capacity
        self.stamp = clock()
        self.clock = clock
        self._next: dict[str, float] = {}  # chat → earliest time of its next message
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _wait(self, chat: str) -> float:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        wait = max(self._paused_until - now, self._next.get(chat, 0.0) - now)
        if wait > 0:
            return wait
        if self.tokens < 1.0:
            return (1.0 - self.tokens) / self.rate
        self.tokens -= 1.0
        self._next[chat] = now + self.gap
        if len(self._next) > 10_000:  # forget chats long quiet
            self._next = {k: v for k, v in self._next.items() if v > now}
        return 0.0

    async def acquire(self, chat: str) -> None:
        """Wait until one message to ``chat`` may go (its token is then taken)."""
        while True:
            async with self._lock:
                wait = self._wait(chat)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Nothing goes out for ``seconds`` (the API said to slow down)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
