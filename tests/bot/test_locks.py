"""The Redis chat lock on a private Redis that the tests stop and restart: a killed
worker's lock expires after its short TTL, a running turn's lock is renewed and taken
again after a restart, and an unreachable Redis delays a turn, never stops it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.locks import ChatLocks, ChatLockTimeout
from tests.support.private_services import PrivateRedis, private_redis

KEY = "telegram:1"


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture
async def client(redis_server: PrivateRedis) -> AsyncIterator[Any]:
    redis = aioredis.from_url(redis_server.url, socket_timeout=2, socket_connect_timeout=2)
    yield redis
    await redis.aclose()


@pytest.fixture
def prefix() -> str:
    return f"motcua:test:{uuid.uuid4().hex}:"


async def test_a_killed_workers_lock_expires_after_the_short_ttl(client: Any, prefix: str) -> None:
    # What a SIGKILLed worker leaves: its key, with no one to renew or release it.
    await client.set(prefix + KEY, "dead-worker", px=int(ChatLocks().timeout * 1000))
    assert 0 < await client.pttl(prefix + KEY) <= 10_000  # not a minute any more
    await client.pexpire(prefix + KEY, 300)  # (the rest of the TTL, shortened for the test)
    async with ChatLocks(client, prefix=prefix, blocking_timeout=5).hold(KEY):
        assert (await client.get(prefix + KEY)) != b"dead-worker"


async def test_a_long_turn_keeps_its_lock_by_renewing_it(client: Any, prefix: str) -> None:
    worker = ChatLocks(client, prefix=prefix, timeout=0.4, renew_every=0.1)
    other = ChatLocks(client, prefix=prefix, blocking_timeout=0.2)
    async with worker.hold(KEY):
        for _ in range(3):  # well past the TTL: still held
            with pytest.raises(ChatLockTimeout):
                async with other.hold(KEY):
                    pass
    assert await client.get(prefix + KEY) is None  # released at the end


async def test_after_a_redis_restart_the_running_turn_takes_its_lock_again(
    client: Any, redis_server: PrivateRedis, prefix: str
) -> None:
    worker = ChatLocks(client, prefix=prefix, timeout=5, renew_every=0.1)
    async with worker.hold(KEY):
        token = await client.get(prefix + KEY)
        await asyncio.to_thread(redis_server.restart)  # every key is gone
        for _ in range(100):
            if await _get(client, prefix + KEY) == token:
                break
            await asyncio.sleep(0.05)
        assert await client.get(prefix + KEY) == token
        with pytest.raises(ChatLockTimeout):
            async with ChatLocks(client, prefix=prefix, blocking_timeout=0.2).hold(KEY):
                pass


async def test_redis_down_for_a_moment_delays_the_turn(
    client: Any, redis_server: PrivateRedis, prefix: str
) -> None:
    await asyncio.to_thread(redis_server.stop)
    locks = ChatLocks(client, prefix=prefix, redis_wait=10)
    holding = asyncio.Event()

    async def turn() -> None:
        async with locks.hold(KEY):
            holding.set()
            assert await client.get(prefix + KEY) is not None  # under the Redis lock
            await asyncio.sleep(0)

    running = asyncio.create_task(turn())
    await asyncio.sleep(0.3)
    assert not holding.is_set()  # waiting for Redis
    await asyncio.to_thread(redis_server.start)
    await running


async def test_redis_down_for_longer_runs_the_turn_under_the_process_lock(
    client: Any, redis_server: PrivateRedis, prefix: str
) -> None:
    await asyncio.to_thread(redis_server.stop)
    locks = ChatLocks(client, prefix=prefix, redis_wait=0.3)
    ran = []
    async with locks.hold(KEY):  # neither taking nor releasing raises
        ran.append(KEY)
        assert locks.locked(KEY)
    assert ran == [KEY]


async def _get(client: Any, key: str) -> Any:
    try:
        return await client.get(key)
    except (aioredis.RedisError, OSError):
        return None
