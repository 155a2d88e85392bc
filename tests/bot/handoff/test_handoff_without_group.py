"""A Telegram bot without a support group: asking for a person is recorded and answered
in one message, with the office hours of the OFFICE_HOURS setting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from backend_client import PortalClient
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from dialogs import State
from tests.e2e.conftest import Turns
from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST"
CITIZEN = 5151
KEY = f"telegram:{CITIZEN}"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def test_one_message_with_the_configured_hours(
    tg: FakeTelegram, portal: PortalClient, sqlite_store: Store
) -> None:
    settings = BotSettings(
        telegram_bot_token=TOKEN,
        telegram_api_base=tg.api_base,
        office_hours="mon-sat 08:00-11:30 13:00-16:30",
    )
    channel = TelegramChannel.build(settings, backend=portal, store=sqlite_store)
    turns = Turns()
    turns.wrap(channel)  # "the turn is sent" is exact: no waiting for what may not come
    await sqlite_store.save_state(KEY, State(greeted=True, lang_chosen=True), 0)
    mark = tg.mark()
    polling = asyncio.create_task(
        channel.dispatcher.start_polling(channel.bot, polling_timeout=1, handle_signals=False)
    )
    try:
        await tg.wait_for("setMyCommands", timeout=10, since=mark)
        before = tg.message_count(CITIZEN)
        tg.user_sends_text(CITIZEN, "cho tôi gặp cán bộ")
        await turns.wait(CITIZEN, 1)
        await channel.handoff.drain()
        [told] = tg.sent_messages(CITIZEN)[before:]
    finally:
        await channel.dispatcher.stop_polling()
        await polling
        await channel.bot.session.close()
    assert "Thứ Hai–Thứ Bảy, 8:00–11:30 và 13:00–16:30" in told["text"]
    assert not told["callback_data"]  # no menu under it
    [request] = await sqlite_store.open_handoffs(KEY)  # where a clerk finds it
    assert request.reason == "words"
