"""Over Zalo: a clerk's status change reaches the citizen once (the notifier's
follower for ``zalo:`` chats, the Zalo sender as its sink), with its buttons numbered
after the question's; a relative who follows by code gets it too."""

from __future__ import annotations

import pytest

from backend_client import PortalClient, StaffClient
from bot.notify import NotifySettings
from bot.store import Store
from bot.zalo import ZaloChannel
from bot.zalo.news import ZaloNews
from tests.e2e.flows import submitted_via_portal
from tests.e2e.zalo.conftest import ZaloTurns, ZaloUser, texts
from tests.fakes.zalo_api import FakeZalo
from tests.support.clock import FrozenClock

FAST = NotifySettings(worker="z", poll_interval=0.05, backoff_base=0.05)


@pytest.fixture(autouse=True)
def same_day(zalo_channel: ZaloChannel, clock: FrozenClock) -> None:
    zalo_channel.runtime.contexts.clock = clock  # type: ignore[union-attr]


async def test_a_clerks_status_change_arrives_once(
    user: ZaloUser,
    zalo: FakeZalo,
    zalo_turns: ZaloTurns,
    zalo_channel: ZaloChannel,
    zalo_store: Store,
    portal: PortalClient,
    clerk: StaffClient,
    clock: FrozenClock,
) -> None:
    code = await submitted_via_portal(portal, f"zalo:{user.chat_id}", clock().date())
    [app] = await portal.my_applications(f"zalo:{user.chat_id}")
    relative = ZaloUser(zalo, zalo_turns, "z7002")
    await relative.says("xin chào")
    await relative.says(code)
    followed = await relative.says("1")  # "1. Nhận thông báo hồ sơ này"
    assert "sẽ nhận thông báo" in texts(followed), relative.transcript(3)
    news = ZaloNews(zalo_store, portal, zalo_channel.sender, FAST, clock=clock)
    await news.follower.catch_up()  # history before now: nothing new yet
    await news.sender.drain()
    await user.says("xin chào")
    before = zalo.message_count(user.chat_id)
    before_relative = zalo.message_count(relative.chat_id)

    await clerk.act(app.id, "receive")
    for _ in range(2):  # a second pass of the feed must not send it again
        await news.follower.catch_up()
        await news.sender.drain()
    got = zalo.sent_messages(user.chat_id)[before:]
    assert len(got) == 1, got
    assert code in got[0]["text"] and "đã tiếp nhận" in got[0]["text"]
    # Its button is numbered after the menu's and works by its number.
    number = got[0]["text"].rsplit("\n", 1)[-1].split(".", 1)[0]
    assert number.isdigit() and int(number) > 1
    opened = await user.says(number)
    assert code in texts(opened)
    relatives = zalo.sent_messages(relative.chat_id)[before_relative:]
    assert len(relatives) == 1 and code in relatives[0]["text"]
    await news.stop()
