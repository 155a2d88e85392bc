"""Per-chat locks: the updates of one chat are handled one at a time, in order.

Inside one process an ``asyncio.Lock`` per key (FIFO, so arrival order is kept);
with Redis, also a Redis lock so several bot workers serialise the same chat.

The Redis lock is short-lived and renewed while its turn runs (``timeout`` 10 s,
renewed every ``renew_every`` 3 s): a worker that is killed blocks its chats for ten
seconds at most, and a slow turn keeps its lock. Redis may also restart (its keys
gone) or be unreachable for a moment:

- taking a lock, an unreachable Redis is tried again for ``redis_wait`` seconds; past
  that the turn runs under this process's lock only (logged), rather than leave the
  citizen without an answer;
- a renewal that finds the key gone (Redis restarted) takes it again, so another
  worker is kept out from the next renewal on;
- releasing, an error is logged and the key expires by itself.

In the moments the Redis lock does not hold, two workers may run turns of one chat at
once; the processed-updates table (an update runs once) and the state's optimistic
version (a turn saved on a stale state is redone) keep that from applying anything
twice."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

# Keep the key if it is still ours; take it again if it is gone (Redis restarted, or
# this turn ran without it); 0 if another worker holds it now.
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_UNREACHABLE = (RedisError, OSError)


def _reraise_cancel() -> None:
    """redis-py may report a cancelled command as a timeout or connection error: a
    cancelled turn must still end, not wait for Redis."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class ChatLockTimeout(LockError):
    """Another worker kept the chat longer than ``blocking_timeout``."""


class ChatLocks:
    def __init__(
        self,
        redis: Any | None = None,
        *,
        timeout: float = 10.0,
        renew_every: float = 3.0,
        blocking_timeout: float = 30.0,
        redis_wait: float = 5.0,
        prefix: str = "motcua:chat:",
    ) -> None:
        self.redis = redis  # a redis.asyncio.Redis, or None for one process
        self.timeout = timeout  # a killed worker's lock expires after this
        self.renew_every = renew_every
        self.blocking_timeout = blocking_timeout
        self.redis_wait = redis_wait
        self.prefix = prefix
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._renew: Any = None
        self._release: Any = None
        if redis is not None:
            self._renew = redis.register_script(_RENEW)
            self._release = redis.register_script(_RELEASE)

    @classmethod
    def from_url(cls, redis_url: str | None, **kwargs: Any) -> ChatLocks:
        if not redis_url:
            return cls(**kwargs)
        import redis.asyncio as aioredis

        # Bounded waits: a Redis that hangs must not hang the turn with it.
        client = aioredis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
        return cls(client, **kwargs)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._local.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                if self.redis is None:
                    yield
                else:
                    async with self._redis_lock(self.prefix + key):
                        yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle chats: memory stays bounded
                del self._users[key]
                self._local.pop(key, None)

    @asynccontextmanager
    async def _redis_lock(self, name: str) -> AsyncIterator[None]:
        token = secrets.token_hex(16)
        await self._acquire(name, token)
        done = asyncio.Event()
        renewal = asyncio.create_task(self._keep(name, token, done))
        try:
            yield
        finally:
            done.set()
            renewal.cancel()
            with suppress(asyncio.CancelledError):
                await renewal
            try:
                await self._release(keys=[name], args=[token])
            except _UNREACHABLE as exc:
                log.warning("chat lock %s not released (%s); it expires by itself", name, exc)

    async def _acquire(self, name: str, token: str) -> None:
        redis: Any = self.redis
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.blocking_timeout
        unreachable_since: float | None = None
        pause = 0.01
        while True:
            try:
                if await redis.set(name, token, nx=True, px=self._ttl_ms):
                    return
                unreachable_since = None
            except _UNREACHABLE as exc:
                _reraise_cancel()
                now = loop.time()
                if unreachable_since is None:
                    unreachable_since = now
                    log.warning("Redis unreachable taking %s (%s); trying again", name, exc)
                elif now - unreachable_since >= self.redis_wait:
                    # The renewal takes the key once Redis answers again.
                    log.error("Redis unreachable: %s runs under this process's lock only", name)
                    return
            if loop.time() >= give_up:
                raise ChatLockTimeout(f"{name} stayed locked for {self.blocking_timeout} s")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    async def _keep(self, name: str, token: str, done: asyncio.Event) -> None:
        while not done.is_set():
            await asyncio.sleep(self.renew_every)
            try:
                kept = await self._renew(keys=[name], args=[token, self._ttl_ms])
            except _UNREACHABLE as exc:
                # redis-py may turn the cancel at the end of the turn into a timeout
                # or connection error: ``done`` ends the loop all the same.
                if not done.is_set():
                    log.warning("chat lock %s not renewed (%s)", name, exc)
                continue
            if kept == 0:
                log.warning("chat lock %s was taken by another worker", name)
            elif kept == 2:
                log.info("chat lock %s taken again (Redis restarted?)", name)

    @property
    def _ttl_ms(self) -> int:
        return int(self.timeout * 1000)

    def locked(self, key: str) -> bool:
        lock = self._local.get(key)
        return lock is not None and lock.locked()

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
