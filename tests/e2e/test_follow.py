"""A relative follows someone else's application from the conversation: the status
lookup by code offers "follow this application", the notifier then writes to the
relative's chat too, and "stop" — in the chat or on the news itself — ends it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend_client import PortalClient, StaffClient
from bot.notify import Notifier, NotifySettings
from bot.notify.db import notifier_engine
from bot.store import Store
from bot.telegram import TelegramChannel
from tests.e2e.conftest import Citizen, Turns
from tests.e2e.flows import submitted_via_portal
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock

OWNER_CHAT = 99
OWNER = f"telegram:{OWNER_CHAT}"


@pytest.fixture
async def notifier(
    bot_db: str, portal: PortalClient, channel: TelegramChannel, clock: FrozenClock
) -> AsyncIterator[Notifier]:
    """The notifier process on the bot's store (the bot's subscriptions are its input)."""
    store = Store(notifier_engine(bot_db))
    settings = NotifySettings(worker="e2e", backoff_base=0.05, poll_interval=0.05)
    notifier = Notifier(store, portal, channel.bot, settings, clock=clock, idle_poll=0.05)
    yield notifier
    await notifier.stop()
    store.close()


async def deliver(notifier: Notifier) -> None:
    await notifier.follower.catch_up()
    await notifier.sender.drain()


async def test_a_relative_follows_and_stops_following_an_application(
    citizen: Citizen,
    tg: FakeTelegram,
    portal: PortalClient,
    clerk: StaffClient,
    notifier: Notifier,
    clock: FrozenClock,
) -> None:
    code = await submitted_via_portal(portal, OWNER, clock().date())
    [app] = await portal.my_applications(OWNER)
    await deliver(notifier)  # the submission's news: the owner only
    await citizen.start()
    await citizen.presses("Tiếng Việt")

    shown = await citizen.says(code)
    assert f"Hồ sơ {code}" in shown[-1]["text"]
    followed = await citizen.presses("🔔 Nhận thông báo")
    assert followed[-1]["text"] == (
        f"Xong. Từ nay Bác sẽ nhận thông báo về hồ sơ {code} (Đăng ký khai sinh) ở đây."
    )
    again = await citizen.presses("🔔 Nhận thông báo")  # the same button, pressed again
    assert "đã đang nhận thông báo" in again[-1]["text"]

    mark = tg.message_count(citizen.chat_id)
    await clerk.act(app.id, "receive")
    await deliver(notifier)
    [news] = tg.sent_messages(citizen.chat_id)[mark:]
    assert "tiếp nhận" in news["text"] and code in news["text"]
    [sub] = await notifier.subscriptions(f"telegram:{citizen.chat_id}")
    assert sub.role == "relative" and sub.application_id == app.id
    # The relative's news carries a stop button; the owner's does not (one wrong tap
    # must not silence the news of one's own application).
    assert f"g:unfollow:{code}" in news["callback_data"]
    owner_news = tg.sent_messages(OWNER_CHAT)[-1]
    assert "tiếp nhận" in owner_news["text"]
    assert owner_news["callback_data"] == [f"g:app:{app.id}"]

    stopped = await citizen.presses("Ngừng nhận thông báo")  # on the news itself
    assert stopped[-1]["text"] == f"Xong. Bác sẽ không nhận thông báo về hồ sơ {code} nữa."
    mark = tg.message_count(citizen.chat_id)
    await clerk.act(app.id, "review")
    await clerk.act(app.id, "request-supplement", note="Thiếu bản gốc")
    await deliver(notifier)
    assert tg.message_count(citizen.chat_id) == mark
    assert await notifier.subscriptions(f"telegram:{citizen.chat_id}") == []


async def test_following_in_english_and_a_forged_code(
    tg: FakeTelegram, portal: PortalClient, notifier: Notifier, clock: FrozenClock, turns: Turns
) -> None:
    relative = Citizen(tg, turns, 7002, language_code="en")
    code = await submitted_via_portal(portal, OWNER, clock().date())
    await relative.start(f"trk_{code}")
    followed = await relative.presses("Follow this application")
    assert followed[-1]["text"] == (
        f"Done. You will get the news of application {code} (Birth registration) in this chat."
    )
    # A forged code in a button: the portal's refusal, in the chat's language.
    mark = tg.message_count(relative.chat_id)
    await relative.does(
        lambda: tg.user_presses_button(
            relative.chat_id,
            followed[-1]["message_id"],
            "g:follow:PX-0000-AAAAAA",
            strict=False,  # a modified client can send any callback data
        )
    )
    [refused] = tg.sent_messages(relative.chat_id)[mark:]
    assert refused["text"] == "This code seems mistyped. Please check each character."
