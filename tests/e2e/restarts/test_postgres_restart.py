"""PostgreSQL restarted in the middle of conversations: the portal and the bot store
(both on one private PostgreSQL cluster) reconnect, and nothing is lost — every turn is
answered, every typed answer reaches the portal, each application is submitted once.

The real aiogram bot polls the fake Bot API; the portal runs in-process. While the
server is down, a bot store call waits for it (bot.store.reconnect) and the portal
answers 503, which the bot's client retries (or, for a write it may not repeat, keeps
for later: the portal-outage path)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from backend_client import PortalClient
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from portal.api.app import create_app
from portal.db.migrate import upgrade
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, PAYMENT_SECRET
from tests.e2e.conftest import TOKEN, Citizen, Turns, texts
from tests.e2e.flows import send_papers, submit, tracking_code
from tests.fakes import FakeTelegram
from tests.support.clock import HUE, FrozenClock
from tests.support.private_services import PrivatePostgres

CITIZENS = 6
ANSWERS = ("3", "2", "Lê Thị Mai", "0905 123 456")


class Counting(httpx.AsyncBaseTransport):
    """The portal's transport; records each request's method, path and status."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.seen.append((request.method, request.url.path, response.status_code))
        return response


class Patient(Citizen):
    """Does a step once more when the bot asks to try again: what is left of the outage
    for a portal write the client may not repeat by itself (creating an application,
    uploading a photo) when the restart cut its transaction mid-way."""

    retried = 0

    async def _turn(self, inject: Any) -> list[dict[str, Any]]:
        messages = await super()._turn(inject)
        if "Bác thử lại" in texts(messages) and not self.retried:
            self.retried += 1
            messages = await super()._turn(inject)
        return messages


def _database(server: PrivatePostgres, name: str) -> str:
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def portal_ctx(pg_server: PrivatePostgres, tmp_path: Path) -> Iterator[PortalContext]:
    url = _database(pg_server, "portal")
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
def pg_store(pg_server: PrivatePostgres) -> Iterator[Store]:
    store = Store.migrated(_database(pg_server, "bot"))
    yield store
    store.close()


async def _conversation(citizen: Citizen, start_after: float) -> None:
    """A certified copy from the first /start to the submit, with two photos."""
    await asyncio.sleep(start_after)
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    await citizen.says("chứng thực bản sao giấy tờ")
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Sổ đỏ")
    for text in ANSWERS:
        await citizen.says(text)
    await send_papers(citizen, [2])
    await submit(citizen)


async def test_postgres_restarted_mid_run_loses_nothing(
    pg_server: PrivatePostgres,
    portal_ctx: PortalContext,
    pg_store: Store,
    tg: FakeTelegram,
    turns: Turns,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    counting = Counting(httpx.ASGITransport(app=create_app(ctx=portal_ctx)))
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=tg.api_base)
    # The production retry policy of the portal client (3 retries, 0.2 s backoff).
    async with PortalClient("http://portal", BOT_TOKEN, transport=counting) as client:
        # No background retry: the test runs its rounds itself, after the script.
        channel = TelegramChannel.build(
            settings, backend=client, store=pg_store, album_delay=0.2, retry_every=0
        )
        turns.wrap(channel)
        mark = tg.mark()
        polling = asyncio.create_task(
            channel.dispatcher.start_polling(channel.bot, polling_timeout=1, handle_signals=False)
        )
        try:
            await tg.wait_for("setMyCommands", timeout=10, since=mark)
            citizens = [Patient(tg, turns, 8100 + i) for i in range(CITIZENS)]
            rng = random.Random(15)
            talking = asyncio.gather(*(_conversation(c, rng.uniform(0, 2.5)) for c in citizens))

            # Restart once the conversations are under way (a quarter of their turns
            # done; some citizens not started yet), the server down for 1.5 s.
            async def restart() -> None:
                while sum(turns.done.values()) < CITIZENS * 4:
                    await asyncio.sleep(0.02)
                await asyncio.to_thread(pg_server.restart, 1.5)

            await asyncio.gather(talking, restart())
            # Writes kept while the portal was down go out now (the background retry).
            for _ in range(10):
                if await channel.retry_kept_once() == 0:
                    break
                await asyncio.sleep(0.5)
        finally:
            await channel.dispatcher.stop_polling()
            await polling
            await channel.bot.session.close()

        statuses = Counter(status for _, _, status in counting.seen)
        assert statuses[500] == 0
        # The bot store met the outage and waited for the server. (Whether a portal
        # request meets it is luck: every turn starts in the store, so the portal may
        # see none. tests/portal/db/test_restart.py restarts under portal requests.)
        assert "bot.store.reconnect" in {r.name for r in caplog.records}
        for citizen in citizens:
            key = f"telegram:{citizen.chat_id}"
            [app] = await client.my_applications(key)  # one application each
            full = await client.get_application(key, app.id)
            assert full.status == "submitted", citizen.transcript(6)
            assert full.answers["pages"] == 3 and full.answers["copies"] == 2
            assert "Lê Thị Mai" in full.answers.values()
            assert len(full.documents) == 2
            sent = tg.sent_messages(citizen.chat_id)
            # The tracking code reached the citizen.
            assert tracking_code(sent) == app.tracking_code
            assert texts(sent).count("đang bận") <= 1  # told at most once
