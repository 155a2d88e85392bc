"""The tracking lookup's Redis rate limit while Redis restarts (a private server, never
the shared one): no request fails, the limit falls back to the worker's own count while
Redis is away and is shared through Redis again once it is back."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from portal.api.app import create_app
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN
from tests.support.private_services import PrivateRedis, private_redis


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


async def test_the_tracking_limit_survives_a_redis_restart(
    ctx: PortalContext, redis_server: PrivateRedis
) -> None:
    settings = ctx.settings.model_copy(
        update={"redis_url": redis_server.url, "track_rate_per_minute": 3}
    )
    app = create_app(ctx=dataclasses.replace(ctx, settings=settings))
    headers = {"Authorization": f"Bearer {BOT_TOKEN}"}

    async def track(citizen: str) -> int:
        response = await http.get(
            "/v1/track/PX-2026-22222A", headers={**headers, "X-Citizen": citizen}
        )
        return response.status_code

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal"
    ) as http:
        before = f"telegram:{uuid.uuid4().int % 10**12}"
        assert [await track(before) for _ in range(4)] == [404, 404, 404, 429]
        redis_server.stop()
        during = f"telegram:{uuid.uuid4().int % 10**12}"
        # Counted in this worker meanwhile: still limited, never a 500.
        assert [await track(during) for _ in range(4)] == [404, 404, 404, 429]
        redis_server.start()
        after = f"telegram:{uuid.uuid4().int % 10**12}"
        assert [await track(after) for _ in range(4)] == [404, 404, 404, 429]
        # Back in Redis (which restarted empty): the window is kept there again.
        probe = redis.Redis.from_url(redis_server.url)
        assert probe.zcard(f"{app.state.track_limiter.prefix}citizen:{after}") == 3
        probe.close()
    app.state.track_limiter.close()
