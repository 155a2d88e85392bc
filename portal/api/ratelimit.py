"""Sliding-window limiters for the anonymous tracking lookup (anti-enumeration).

`SlidingWindow` counts in this process; `RedisWindow` (REDIS_URL set) counts in Redis,
so every portal worker shares one window per key. `make_limiter` picks one.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from typing import Any, Protocol

from portal.settings import PortalSettings

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def hit(self, key: str) -> bool:
        """Count one request for ``key``; False when its window is already full."""
        ...

    def close(self) -> None: ...


class SlidingWindow:
    def __init__(self, limit: int, window_seconds: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._hits.clear()  # bounded memory under a spray of addresses
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def hit(self, key: str) -> bool:
        return self.allow(key)

    def close(self) -> None:
        pass


# One atomic step per request: drop hits older than the window, refuse when full,
# otherwise record this hit. Redis's own clock, so workers on several hosts agree.
_SLIDING_WINDOW_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisWindow:
    """The same sliding window kept in Redis: the limit holds across workers. Should
    Redis be unreachable the window falls back to this process (logged), so tracking
    keeps working with the per-process bound."""

    def __init__(
        self,
        url: str,
        limit: int,
        window_seconds: float = 60.0,
        prefix: str = "motcua:track:",
    ) -> None:
        import redis

        self.limit = limit
        self.window_ms = int(window_seconds * 1000)
        self.prefix = prefix
        self._redis: Any = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._redis.register_script(_SLIDING_WINDOW_LUA)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._fallback = SlidingWindow(limit, window_seconds)
        self._warned_at = float("-inf")

    def hit(self, key: str) -> bool:
        member = secrets.token_hex(8)  # unique, so two hits in one millisecond both count
        try:
            allowed = self._script(
                keys=[self.prefix + key], args=[self.limit, self.window_ms, member]
            )
        except self._errors as exc:
            now = time.monotonic()
            if now - self._warned_at >= 60:  # once a minute, not once per request
                self._warned_at = now
                log.warning("rate limit: Redis unavailable (%s); counting in this process", exc)
            return self._fallback.hit(key)
        return bool(allowed)

    def close(self) -> None:
        self._redis.close()


def make_limiter(settings: PortalSettings) -> Limiter:
    """Per minute; shared through Redis when REDIS_URL is set."""
    if settings.redis_url:
        prefix = f"motcua:{settings.ward_code}:track:"
        return RedisWindow(settings.redis_url, settings.track_rate_per_minute, prefix=prefix)
    return SlidingWindow(settings.track_rate_per_minute)
