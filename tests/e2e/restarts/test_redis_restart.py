"""Redis restarted while two bot workers handle the same conversations: every update
goes to a random worker, half of them delivered twice at once (to both workers, or
twice to one) and some again after their turn, as Telegram does when it did not see a
delivery confirmed. Each worker has its own chat locks on one private Redis, which
restarts mid-run (every lock key lost). No turn runs twice, none is lost: each update
reaches the engine once, each answer is written to the portal once, each application
is submitted once.

The workers are two in-process TelegramChannels fed the updates as their webhook
would (``Dispatcher.feed_update``), sharing the bot store on PostgreSQL and the
portal, replying through the fake Bot API."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiogram.types import Update

from backend_client import PortalClient
from bot.locks import ChatLocks
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from dialogs import Event, Reply
from portal.api.app import create_app
from portal.db.migrate import upgrade
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, PAYMENT_SECRET
from tests.e2e.conftest import TOKEN, Citizen, Turns
from tests.e2e.flows import send_papers, submit
from tests.fakes import FakeTelegram
from tests.support.clock import HUE, FrozenClock
from tests.support.databases import PG_ADMIN_URL, postgres_reachable
from tests.support.private_services import PrivateRedis

CITIZENS = 8
NAME = "Lê Thị Mai"


class SlowPortal(httpx.AsyncBaseTransport):
    """The portal, a little slow (turns hold their locks a while, so the restart meets
    some), counting the writes per citizen."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.writes: list[tuple[str, str, str]] = []  # citizen, path, body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.02)
        if request.method != "GET":
            body = (await request.aread()).decode(errors="replace")
            self.writes.append((request.headers.get("X-Citizen", ""), request.url.path, body))
        return await self.inner.handle_async_request(request)


class Workers:
    """Two bot workers behind one URL; Telegram's deliveries, with duplicates."""

    def __init__(self, channels: list[TelegramChannel], seed: int) -> None:
        self.channels = channels
        self.rng = random.Random(seed)
        self.late: list[tuple[TelegramChannel, dict[str, Any]]] = []
        self.delivered: defaultdict[int, set[int]] = defaultdict(set)  # chat -> update ids
        self.events: defaultdict[str, list[Event]] = defaultdict(list)  # chat key -> turns
        for channel in channels:
            self._count(channel)

    def _count(self, channel: TelegramChannel) -> None:
        runtime = channel.runtime
        process_locked = runtime.process_locked

        async def counted(key: str, event: Event, **kwargs: Any) -> list[Reply]:
            self.events[key].append(event)
            return await process_locked(key, event, **kwargs)

        runtime.process_locked = counted  # type: ignore[method-assign]

    async def feed(self, channel: TelegramChannel, update: dict[str, Any]) -> None:
        parsed = Update.model_validate(update, context={"bot": channel.bot})
        await channel.dispatcher.feed_update(channel.bot, parsed)

    async def deliver(self, chat_id: int, update: dict[str, Any]) -> None:
        self.delivered[chat_id].add(update["update_id"])
        targets = [self.rng.choice(self.channels)]
        if self.rng.random() < 0.5:  # delivered twice at once: to both, or to one twice
            targets.append(self.rng.choice(self.channels))
        await asyncio.gather(*(self.feed(ch, update) for ch in targets))
        if self.rng.random() < 0.2:  # and once more later, after its turn
            self.late.append((self.rng.choice(self.channels), update))

    async def redeliver_late(self) -> None:
        await asyncio.gather(*(self.feed(ch, update) for ch, update in self.late))


class TwiceDelivered(Citizen):
    def __init__(self, tg: FakeTelegram, workers: Workers, chat_id: int) -> None:
        super().__init__(tg, Turns(), chat_id)
        self.workers = workers

    async def _turn(self, inject: Any) -> list[dict[str, Any]]:
        mark = self.tg.message_count(self.chat_id)
        injected = inject()  # (queued in the fake too; no one polls it)
        self.injected.append(injected)
        await self.workers.deliver(self.chat_id, injected.update)
        return self.tg.sent_messages(self.chat_id)[mark:]


@pytest.fixture
def shared_store() -> Iterator[Store]:
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    store = Store.migrated(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def portal_ctx(tmp_path: Path) -> Iterator[PortalContext]:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    upgrade(url)
    settings = PortalSettings(
        database_url=url,
        upload_dir=tmp_path / "uploads",
        bot_service_token=BOT_TOKEN,
        payment_webhook_secret=PAYMENT_SECRET,
        track_rate_per_minute=1000,
    )
    ctx = PortalContext.from_settings(
        settings, clock=FrozenClock(datetime(2026, 3, 9, 9, tzinfo=HUE))
    )
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
async def workers(
    redis_server: PrivateRedis, shared_store: Store, portal_ctx: PortalContext, tg: FakeTelegram
) -> AsyncIterator[tuple[Workers, SlowPortal, PortalClient]]:
    portal = SlowPortal(httpx.ASGITransport(app=create_app(ctx=portal_ctx)))
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=tg.api_base)
    async with PortalClient("http://portal", BOT_TOKEN, transport=portal) as client:
        channels = [
            TelegramChannel.build(
                settings,
                backend=client,
                store=shared_store,
                # Short TTL and renewals, so renewals happen within the test's turns.
                locks=ChatLocks.from_url(redis_server.url, timeout=2.0, renew_every=0.3),
                album_delay=0.2,
                retry_every=0,
            )
            for _ in range(2)
        ]
        try:
            yield Workers(channels, seed=15), portal, client
        finally:
            for channel in channels:
                await channel.runtime.locks.aclose()
                await channel.bot.session.close()


async def _conversation(citizen: Citizen, start_after: float) -> None:
    await asyncio.sleep(start_after)
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    await citizen.says("chứng thực bản sao giấy tờ")
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Sổ đỏ")
    for text in ("3", "2", NAME, "0905 123 456"):
        await citizen.says(text)
    await send_papers(citizen, [1])
    await submit(citizen)


async def test_redis_restarted_under_two_workers_runs_no_turn_twice(
    workers: tuple[Workers, SlowPortal, PortalClient],
    redis_server: PrivateRedis,
    tg: FakeTelegram,
) -> None:
    pool, portal, client = workers
    citizens = [TwiceDelivered(tg, pool, 8200 + i) for i in range(CITIZENS)]
    rng = random.Random(15)
    talking = asyncio.gather(*(_conversation(c, rng.uniform(0, 1.0)) for c in citizens))

    async def restart() -> None:
        while sum(len(ids) for ids in pool.delivered.values()) < CITIZENS * 5:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(redis_server.restart, 0.5)

    await asyncio.gather(talking, restart())
    await pool.redeliver_late()  # stale duplicates: all dropped

    assert pool.late, "the test delivered no late duplicate"
    for citizen in citizens:
        key = f"telegram:{citizen.chat_id}"
        # Each update reached the engine exactly once: none twice, none lost.
        assert len(pool.events[key]) == len(pool.delivered[citizen.chat_id])
        writes = [(path, body) for who, path, body in portal.writes if who == key]
        assert sum(1 for path, body in writes if "answers" in path and NAME in body) == 1
        assert sum(1 for path, _ in writes if path.endswith("/submit")) == 1
        [app] = await client.my_applications(key)
        assert app.status == "submitted", citizen.transcript(6)
        per_chat = Counter(m["method"] for m in tg.sent_messages(citizen.chat_id))
        assert per_chat["sendMessage"] > 0
