"""Telegram's sending limits as token buckets: ≤ 30 messages/s overall, ≤ 1/s per
private chat, ≤ 20/min per group (negative chat id), all multiplied by `scale`.

`LocalLimiter` holds the buckets in this process; `RedisLimiter` keeps them in Redis
(one Lua script takes from both buckets atomically) so several senders share them.
Both honour pauses from a 429 (`pause`), for one chat or for everything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

GLOBAL_PER_SECOND = 30.0
PRIVATE_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20.0


def chat_rate(chat_id: int, scale: float) -> float:
    """Tokens per second for one chat."""
    if chat_id < 0:
        return GROUP_PER_MINUTE * scale / 60.0
    return PRIVATE_PER_SECOND * scale


def global_burst(rate: float) -> float:
    # A fifth of a second's worth: smooth enough for Telegram, which counts per second.
    return max(1.0, rate / 5.0)


class Limiter(Protocol):
    async def try_acquire(self, chat_id: int) -> float:
        """0.0 when a message to `chat_id` may go now (its tokens are taken), else the
        seconds to wait before asking again."""
        ...

    async def pause(self, chat_id: int | None, seconds: float) -> None:
        """Nothing to `chat_id` (None: to anyone) for `seconds` (Telegram's retry_after)."""
        ...

    async def aclose(self) -> None: ...


async def acquire(limiter: Limiter, chat_id: int) -> None:
    """Wait until a message to `chat_id` may go."""
    while (wait := await limiter.try_acquire(chat_id)) > 0:
        await asyncio.sleep(wait)


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass
class LocalLimiter:
    scale: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _global: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _paused_until: dict[int | None, float] = field(default_factory=dict)

    def _chat(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            # Capacity 1: no bursts into a chat (Telegram's own tolerance is not promised).
            bucket = _Bucket(chat_rate(chat_id, self.scale), 1.0, 1.0, now)
            self._chats[chat_id] = bucket
        return bucket

    async def try_acquire(self, chat_id: int) -> float:
        now = self.clock()
        paused = max(self._paused_until.get(None, 0.0), self._paused_until.get(chat_id, 0.0))
        if paused > now:
            return paused - now
        if self._global is None:
            rate = GLOBAL_PER_SECOND * self.scale
            self._global = _Bucket(rate, global_burst(rate), global_burst(rate), now)
        buckets = (self._global, self._chat(chat_id, now))
        for bucket in buckets:
            bucket.refill(now)
        wait = max(b.wait() for b in buckets)
        if wait > 0:
            return wait
        for bucket in buckets:
            bucket.tokens -= 1.0
        if len(self._chats) > 50_000:  # forget idle chats (full buckets) now and then
            self._chats = {k: b for k, b in self._chats.items() if b.tokens < b.capacity}
        return 0.0

    async def pause(self, chat_id: int | None, seconds: float) -> None:
        until = self.clock() + seconds
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    async def aclose(self) -> None:
        return None


# KEYS: global bucket, chat bucket, global pause, chat pause.
# ARGV: global rate/s, global capacity, chat rate/s, chat capacity, key ttl (ms).
# Returns 0 when both tokens were taken, else the wait in microseconds.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = math.max(redis.call('PTTL', KEYS[3]), redis.call('PTTL', KEYS[4]))
if pause > 0 then return pause * 1000 end
local wait = 0
local state = {}
for i = 1, 2 do
  local rate = tonumber(ARGV[i * 2 - 1])
  local cap = tonumber(ARGV[i * 2])
  local v = redis.call('HMGET', KEYS[i], 'tokens', 'stamp')
  local tokens = tonumber(v[1]) or cap
  local stamp = tonumber(v[2]) or now
  tokens = math.min(cap, tokens + math.max(0, now - stamp) * rate)
  state[i] = tokens
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
end
if wait > 0 then return math.ceil(wait * 1000000) end
for i = 1, 2 do
  redis.call('HSET', KEYS[i], 'tokens', state[i] - 1, 'stamp', now)
  redis.call('PEXPIRE', KEYS[i], ARGV[5])
end
return 0
"""


class RedisLimiter:
    """The same buckets in Redis, shared by every sender using the same `prefix`."""

    def __init__(self, redis: Any, *, scale: float = 1.0, prefix: str = "motcua:tg") -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.scale = scale
        self.prefix = prefix
        self._take = redis.register_script(_TAKE)

    @classmethod
    def from_url(cls, url: str, *, connections: int = 32, **kwargs: Any) -> RedisLimiter:
        import redis.asyncio as aioredis

        # A blocking pool: with hundreds of messages waiting for a token at once, a
        # caller waits for a free connection instead of failing ("Too many
        # connections", redis-py's default pool), which left the message unsent.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=connections, timeout=None
        )
        return cls(aioredis.Redis(connection_pool=pool), **kwargs)

    async def try_acquire(self, chat_id: int) -> float:
        rate = GLOBAL_PER_SECOND * self.scale
        per_chat = chat_rate(chat_id, self.scale)
        keys = [
            f"{self.prefix}:bucket:all",
            f"{self.prefix}:bucket:{chat_id}",
            f"{self.prefix}:pause:all",
            f"{self.prefix}:pause:{chat_id}",
        ]
        # Idle buckets are full again after capacity/rate seconds: then they may expire.
        ttl_ms = int(max(1.0 / per_chat, global_burst(rate) / rate) * 1000) + 1000
        args = [rate, global_burst(rate), per_chat, 1.0, ttl_ms]
        micros = int(await self._take(keys=keys, args=args))
        return micros / 1_000_000

    async def pause(self, chat_id: int | None, seconds: float) -> None:
        name = "all" if chat_id is None else str(chat_id)
        key = f"{self.prefix}:pause:{name}"
        ms = max(1, int(seconds * 1000))
        # Never shorten a longer pause someone else set.
        current = await self.redis.pttl(key)
        if current is None or current < ms:
            await self.redis.set(key, "1", px=ms)

    async def aclose(self) -> None:
        await self.redis.aclose(close_connection_pool=True)
