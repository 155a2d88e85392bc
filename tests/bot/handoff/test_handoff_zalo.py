"""A Zalo citizen's help case: the same support group (fake Telegram) gets a topic, the
citizen's texts are posted in it, the officer's texts reach Zalo (a photo is not
relayed and the officer is told), and the citizen goes back with the number of "Back
to the assistant"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from backend_client import PortalClient
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from bot.zalo import ZaloChannel
from bot.zalo.api import ZaloApi
from tests.e2e.zalo.conftest import TOKEN as ZALO_TOKEN
from tests.e2e.zalo.conftest import ZaloTurns, ZaloUser, texts, zalo_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.clock import HUE
from tests.support.images import photo

SUPPORT = -1001234
LAN = {"id": 111, "first_name": "Lan", "is_bot": False}
MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=HUE)  # the office is open


@pytest.fixture
async def both(
    portal: PortalClient, sqlite_store: Store
) -> AsyncIterator[tuple[FakeTelegram, FakeZalo, TelegramChannel, ZaloChannel, ZaloTurns]]:
    async with FakeTelegram() as tg, FakeZalo(token=ZALO_TOKEN) as zalo:
        tg.create_group(SUPPORT, "Tổ hỗ trợ số", is_forum=True)
        settings = BotSettings(
            telegram_bot_token="123456:TEST",
            telegram_api_base=tg.api_base,
            support_chat_id=SUPPORT,
            staff_telegram_ids="111:Lan",
        )
        telegram = TelegramChannel.build(settings, backend=portal, store=sqlite_store)
        telegram.handoff.clock = lambda: MONDAY_9AM
        mark = tg.mark()
        polling = asyncio.create_task(
            telegram.dispatcher.start_polling(telegram.bot, polling_timeout=1, handle_signals=False)
        )
        await tg.wait_for("setMyCommands", timeout=10, since=mark)
        zsettings = zalo_settings(zalo, support_chat_id=SUPPORT)
        channel = ZaloChannel.build(
            zsettings,
            backend=portal,
            store=sqlite_store,
            api=ZaloApi(ZALO_TOKEN, zalo.api_base),
            handoffs=telegram.handoff,
            locks=telegram.runtime.locks,
        )
        turns = ZaloTurns()
        channel.on_turn = turns
        zpoll = asyncio.create_task(channel.run_polling(timeout=1))
        try:
            yield tg, zalo, telegram, channel, turns
        finally:
            zpoll.cancel()
            await asyncio.gather(zpoll, return_exceptions=True)
            await channel.aclose()
            await telegram.dispatcher.stop_polling()
            await polling
            await telegram.handoff.drain()
            await telegram.bot.session.close()


async def test_a_zalo_citizens_case_is_relayed_both_ways(
    both: tuple[FakeTelegram, FakeZalo, TelegramChannel, ZaloChannel, ZaloTurns],
) -> None:
    tg, zalo, telegram, _channel, turns = both
    citizen = ZaloUser(zalo, turns, "zh1")
    await citizen.says("xin chào")
    await citizen.says("gặp cán bộ")
    await telegram.handoff.drain()
    [topic] = tg.topics(SUPPORT)
    thread = topic.message_thread_id
    assert topic.name.startswith("User zh1")
    notice = texts(zalo.sent_messages("zh1")[-1:])
    assert "10 phút" in notice and "1." in notice  # the way back, numbered

    # Citizen → topic.
    in_topic = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    await citizen.says("Tôi không biết điền tên cháu")
    [posted] = await tg.wait_for_messages(
        SUPPORT, 1, since=in_topic, message_thread_id=thread, timeout=10
    )
    assert posted["text"].endswith(": Tôi không biết điền tên cháu")

    # Officer → Zalo: introduced once, then the text.
    mark = zalo.message_count("zh1")
    tg.user_sends_text(SUPPORT, "Chào Bác, cháu giúp Bác nhé", message_thread_id=thread, user=LAN)
    intro, said = await zalo.wait_for_messages("zh1", 2, since=mark)
    assert intro["text"] == "Cán bộ Lan đang trả lời Bác."
    assert said["text"] == "Chào Bác, cháu giúp Bác nhé"
    # A photo from the officer is not relayed, and the officer is told.
    in_topic = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    tg.user_sends_photo(SUPPORT, photo(), message_thread_id=thread, user=LAN)
    [told] = await tg.wait_for_messages(
        SUPPORT, 1, since=in_topic, message_thread_id=thread, timeout=10
    )
    assert "Zalo" in told["text"]

    # "1": back to the assistant; the case closes.
    back = await citizen.says("1")
    await telegram.handoff.drain()
    assert await telegram.handoff.cases.open_case_of("zalo:zh1") is None
    assert back or zalo.sent_messages("zh1")
