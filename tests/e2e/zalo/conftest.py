"""The Zalo channel end to end: the real channel polling the fake Zalo Bot API over
HTTP on loopback, serving its image links on a loopback port, with the real engine,
NLU and portal (in-process, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend_client import PortalClient
from bot.settings import BotSettings
from bot.store import Store
from bot.zalo import ZaloChannel
from bot.zalo.api import ZaloApi
from bot.zalo.convert import Incoming
from tests.fakes.zalo_api import FakeZalo
from tests.support.processes import free_port

TOKEN = "1234:ZALOTEST"
SECRET = "zalo-webhook-secret-for-tests"
TURN_TIMEOUT = 30.0


class ZaloTurns:
    """Counts the updates the channel has finished (answered or dropped), per chat."""

    def __init__(self) -> None:
        self.done: defaultdict[str, int] = defaultdict(int)
        self.changed = asyncio.Condition()
        self.handled: list[Incoming] = []

    async def __call__(self, key: str, message: Incoming) -> None:
        async with self.changed:
            self.handled.append(message)
            self.done[message.chat_id] += 1
            self.changed.notify_all()

    async def wait(self, chat_id: str, count: int, timeout: float = TURN_TIMEOUT) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.done[chat_id] >= count), timeout
            )


class ZaloUser:
    """One Zalo user; every message waits for its whole turn. ``sent`` counts them."""

    def __init__(self, zalo: FakeZalo, turns: ZaloTurns, chat_id: str) -> None:
        self.zalo = zalo
        self.turns = turns
        self.chat_id = chat_id
        self.expected = 0
        self.sent = 0

    async def _turn(self, inject: Any) -> list[dict[str, Any]]:
        mark = self.zalo.message_count(self.chat_id)
        inject()
        self.sent += 1
        self.expected += 1
        await self.turns.wait(self.chat_id, self.expected)
        return self.zalo.sent_messages(self.chat_id)[mark:]

    async def says(self, text: str) -> list[dict[str, Any]]:
        return await self._turn(lambda: self.zalo.user_sends_text(self.chat_id, text))

    async def photo(self, data: bytes, caption: str | None = None) -> list[dict[str, Any]]:
        return await self._turn(lambda: self.zalo.user_sends_photo(self.chat_id, data, caption))

    def transcript(self, last: int = 100) -> str:
        return "\n".join(
            f"[{m['method']}] {m['text']} {m['photo'] or ''}"
            for m in self.zalo.sent_messages(self.chat_id)[-last:]
        )


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    async with FakeZalo(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def zalo_store(tmp_path: Any) -> AsyncIterator[Store]:
    store = Store.migrated(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def zalo_turns() -> ZaloTurns:
    return ZaloTurns()


def zalo_settings(zalo: FakeZalo, **extra: Any) -> BotSettings:
    port = free_port()
    return BotSettings(
        zalo_bot_token=TOKEN,
        zalo_api_base=zalo.api_base,
        zalo_http_port=port,
        public_base_url=f"http://127.0.0.1:{port}",
        zalo_webhook_secret=SECRET,
        **extra,
    )


@pytest.fixture
async def zalo_channel(
    zalo: FakeZalo, portal: PortalClient, zalo_store: Store, zalo_turns: ZaloTurns
) -> AsyncIterator[ZaloChannel]:
    settings = zalo_settings(zalo)
    channel = ZaloChannel.build(
        settings,
        backend=portal,
        store=zalo_store,
        api=ZaloApi(TOKEN, zalo.api_base),
    )
    channel.on_turn = zalo_turns
    await channel.start_http()
    polling = asyncio.create_task(channel.run_polling(timeout=1))
    try:
        yield channel
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await channel.aclose()


@pytest.fixture
def user(zalo: FakeZalo, zalo_turns: ZaloTurns, zalo_channel: ZaloChannel) -> ZaloUser:
    return ZaloUser(zalo, zalo_turns, "z7001")
