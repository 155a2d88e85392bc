from __future__ import annotations

import dataclasses
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from backend_client import NotFoundError, PortalClient, RateLimitedError, ValidationFailedError
from portal.api.app import create_app
from portal.api.clients import TrustedProxies, client_address
from portal.api.ratelimit import RedisWindow, SlidingWindow
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo
from tests.support.server import serve

ANA = "telegram:4001"


async def _code(portal: PortalClient, clock: FrozenClock) -> str:
    proc = await portal.get_procedure("death_registration")
    app = await portal.create_application(ANA, "death_registration")
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    submitted = await portal.submit(ANA, app.id, "k")
    assert submitted.tracking_code
    return submitted.tracking_code


async def test_lookup_in_any_spelling_shows_nothing_personal(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    code = await _code(portal, clock)
    for spelling in (code, code.lower(), code.replace("-", " "), code.replace("-", "")):
        result = await portal.track(spelling)
        assert result.tracking_code == code
    raw = (await http.get(f"/v1/track/{code}")).json()
    assert set(raw) == {
        "tracking_code",
        "procedure",
        "procedure_name",
        "status",
        "status_label",
        "due_date",
    }


async def test_mistyped_and_unknown_codes(portal: PortalClient, clock: FrozenClock) -> None:
    code = await _code(portal, clock)
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    last = code[-1]
    typo = code[:-1] + alphabet[(alphabet.index(last) + 1) % len(alphabet)]
    with pytest.raises(ValidationFailedError) as err:
        await portal.track(typo)
    assert err.value.code == "code_mistyped"
    with pytest.raises(ValidationFailedError):
        await portal.track("hello")


async def test_enumeration_is_rate_limited(app: FastAPI, portal: PortalClient) -> None:
    app.state.track_limiter = SlidingWindow(limit=3)
    for _ in range(3):
        with pytest.raises((NotFoundError, ValidationFailedError)):
            await portal.track("PX-2026-22222A")
    with pytest.raises(RateLimitedError):
        await portal.track("PX-2026-22222A")


def test_sliding_window_frees_up_after_the_window() -> None:
    window = SlidingWindow(limit=2, window_seconds=60)
    assert window.allow("a", now=0) and window.allow("a", now=1)
    assert not window.allow("a", now=2)
    assert window.allow("b", now=2)
    assert window.allow("a", now=61)


# --- who a limit counts: addresses behind trusted proxies only, citizens apart --------

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_rotated_forwarded_for_from_an_untrusted_client_is_limited(app: FastAPI) -> None:
    # A real server: uvicorn itself would rewrite the client from X-Forwarded-For.
    app.state.track_limiter = SlidingWindow(limit=5)
    with serve(app) as url, httpx.Client(base_url=url) as client:
        statuses = [
            client.get(
                "/v1/track/PX-2026-22222A", headers={"X-Forwarded-For": f"203.0.113.{i}"}
            ).status_code
            for i in range(100)
        ]
    assert statuses.count(429) == 95, statuses


def _request(peer: str, forwarded: str | None = None, **headers: str) -> Request:
    raw = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if forwarded is not None:
        raw.append((b"x-forwarded-for", forwarded.encode()))
    return Request({"type": "http", "headers": raw, "client": (peer, 40000)})


def test_forwarded_for_is_read_from_trusted_proxies_only() -> None:
    none = TrustedProxies()
    trusted = TrustedProxies(["10.0.0.0/8", "192.0.2.7"])
    assert client_address(_request("10.0.0.3", "198.51.100.9"), none) == "10.0.0.3"
    assert client_address(_request("203.0.113.5", "198.51.100.9"), trusted) == "203.0.113.5"
    assert client_address(_request("10.0.0.3", "198.51.100.9"), trusted) == "198.51.100.9"
    # The client wrote the left part; the right-most untrusted hop is the real one.
    chain = "1.2.3.4, 198.51.100.9, 10.1.1.1, 192.0.2.7"
    assert client_address(_request("10.0.0.3", chain), trusted) == "198.51.100.9"
    assert client_address(_request("10.0.0.3"), trusted) == "10.0.0.3"
    assert client_address(_request("10.0.0.3", "garbage"), trusted) == "garbage"


async def _bot_track(http: httpx.AsyncClient, citizen: str) -> int:
    response = await http.get(
        "/v1/track/PX-2026-22222A",
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": citizen},
    )
    return response.status_code


async def test_one_citizen_exhausting_the_bots_lookups_does_not_block_another(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    app.state.track_limiter = SlidingWindow(limit=3)
    assert [await _bot_track(http, "telegram:1") for _ in range(4)] == [404, 404, 404, 429]
    assert await _bot_track(http, "telegram:2") == 404
    # Anyone can write X-Citizen: without the bot's token it counts per address.
    for i in range(3):
        assert (await http.get("/v1/track/X", headers={"X-Citizen": f"t:{i}"})).status_code == 422
    assert (await http.get("/v1/track/X", headers={"X-Citizen": "t:9"})).status_code == 429


async def test_the_bot_names_the_citizen_it_looks_up_for(
    app: FastAPI, portal: PortalClient
) -> None:
    app.state.track_limiter = SlidingWindow(limit=1)
    with pytest.raises(NotFoundError):
        await portal.track("PX-2026-22222A", "telegram:1")
    with pytest.raises(NotFoundError):
        await portal.track("PX-2026-22222A", "telegram:2")
    with pytest.raises(RateLimitedError):
        await portal.track("PX-2026-22222A", "telegram:1")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        pytest.skip(f"no Redis server reachable at {REDIS_URL}")


async def test_workers_sharing_redis_share_the_count(ctx: PortalContext) -> None:
    _redis_or_skip()
    settings = ctx.settings.model_copy(update={"redis_url": REDIS_URL, "track_rate_per_minute": 4})
    workers = [create_app(ctx=dataclasses.replace(ctx, settings=settings)) for _ in range(2)]
    citizen = f"telegram:{uuid.uuid4().int % 10**12}"  # a fresh window in a shared Redis
    statuses = []
    for i in range(6):
        worker = workers[i % 2]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=worker), base_url="http://portal"
        ) as http:
            statuses.append(await _bot_track(http, citizen))
    for worker in workers:
        worker.state.track_limiter.close()
    assert statuses == [404, 404, 404, 404, 429, 429]


def test_redis_window_slides_and_falls_back_when_redis_is_down() -> None:
    _redis_or_skip()
    key = f"test:{uuid.uuid4().hex}"
    window = RedisWindow(REDIS_URL, limit=2, window_seconds=0.3)
    assert window.hit(key) and window.hit(key) and not window.hit(key)
    assert window.hit("other" + key)
    deadline = time.monotonic() + 5
    while not window.hit(key):  # frees up once the window has passed
        assert time.monotonic() < deadline
        time.sleep(0.05)
    window.close()
    down = RedisWindow("redis://127.0.0.1:9/0", limit=1)  # nothing listens on port 9
    assert down.hit("k") and not down.hit("k")
