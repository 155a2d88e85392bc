"""The limiters: in-process token buckets, and Redis buckets shared by two senders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.notify.limiter import LocalLimiter, RedisLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"
# So slow that nothing refills between two calls of a test.
CRAWL = 0.0001


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_local_limiter_keeps_one_message_per_second_per_chat() -> None:
    clock = ManualClock()
    limiter = LocalLimiter(scale=1.0, clock=clock)
    assert await limiter.try_acquire(7) == 0
    assert await limiter.try_acquire(7) == pytest.approx(1.0)
    assert await limiter.try_acquire(8) == 0  # another chat is not held back
    clock.now += 1.0
    assert await limiter.try_acquire(7) == 0


async def test_local_limiter_caps_the_total_and_groups() -> None:
    clock = ManualClock()
    limiter = LocalLimiter(scale=1.0, clock=clock)
    granted = 0
    for chat in range(100):
        if await limiter.try_acquire(chat) == 0:
            granted += 1
    assert granted == 6  # a burst of a fifth of a second of 30/s, then the bucket is dry
    clock.now += 10.0
    assert await limiter.try_acquire(-100) == 0
    assert await limiter.try_acquire(-100) == pytest.approx(3.0)  # 20 per minute


async def test_local_pause_holds_one_chat_or_everyone() -> None:
    clock = ManualClock()
    limiter = LocalLimiter(scale=1.0, clock=clock)
    await limiter.pause(7, 5.0)
    assert await limiter.try_acquire(7) == pytest.approx(5.0)
    assert await limiter.try_acquire(8) == 0
    await limiter.pause(None, 3.0)
    assert await limiter.try_acquire(9) == pytest.approx(3.0)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (aioredis.ConnectionError, OSError):
        await client.aclose()
        pytest.skip(f"no Redis server reachable at {REDIS_URL}")
    prefix = f"motcua:test:{uuid.uuid4().hex}"
    yield prefix
    keys = [k async for k in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_redis_buckets_are_shared_between_two_limiters(redis_prefix: str) -> None:
    one = RedisLimiter.from_url(REDIS_URL, scale=CRAWL, prefix=redis_prefix)
    two = RedisLimiter.from_url(REDIS_URL, scale=CRAWL, prefix=redis_prefix)
    try:
        assert await one.try_acquire(42) == 0
        # The other worker sees the token gone: this chat and the global bucket.
        assert await two.try_acquire(42) > 0
        assert await two.try_acquire(43) > 0
    finally:
        await one.aclose()
        await two.aclose()


async def test_redis_pause_is_seen_by_every_worker(redis_prefix: str) -> None:
    one = RedisLimiter.from_url(REDIS_URL, scale=1.0, prefix=redis_prefix)
    two = RedisLimiter.from_url(REDIS_URL, scale=1.0, prefix=redis_prefix)
    try:
        await one.pause(None, 30.0)
        assert 25.0 < await two.try_acquire(5) <= 30.0
        await one.pause(None, 1.0)  # a shorter pause does not cut the longer one
        assert await two.try_acquire(5) > 25.0
    finally:
        await one.aclose()
        await two.aclose()
