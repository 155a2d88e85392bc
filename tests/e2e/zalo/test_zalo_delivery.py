"""Over the fake Zalo API: duplicate and out-of-order deliveries are each handled once
(across a restart too), the webhook refuses a call without the right secret, both
getUpdates shapes are read, a text over 2000 characters is split on line boundaries,
errors are retried and a user who blocked the bot is recorded."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from backend_client import PortalClient
from bot.store import Store
from bot.zalo import ZaloChannel
from bot.zalo.api import ZaloApi
from dialogs import Reply
from tests.e2e.zalo.conftest import SECRET, TOKEN, ZaloTurns, ZaloUser, texts, zalo_settings
from tests.fakes.zalo_api import FakeZalo


async def post(channel: ZaloChannel, body: Any, secret: str | None) -> int:
    url = f"http://127.0.0.1:{channel.settings.zalo_http_port}{channel.webhook_path}"
    headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        return response.status


async def test_duplicates_are_answered_once_even_after_a_restart(
    user: ZaloUser,
    zalo: FakeZalo,
    zalo_turns: ZaloTurns,
    zalo_store: Store,
    portal: PortalClient,
) -> None:
    await user.says("xin chào")
    update = zalo.user_sends_text(user.chat_id, "làm giấy khai sinh", queue=False)
    before = zalo.message_count(user.chat_id)
    for _ in range(3):  # Zalo retrying the same message
        zalo.redeliver(update)
    user.expected += 3
    await zalo_turns.wait(user.chat_id, user.expected)
    answered = zalo.sent_messages(user.chat_id)[before:]
    assert len(answered) == 1 and "Giấy chứng sinh" in texts(answered)

    # A new process on the same store: the message is still known.
    other = ZaloChannel.build(
        zalo_settings(zalo), backend=portal, store=zalo_store, api=ZaloApi(TOKEN, zalo.api_base)
    )
    seen: list[str] = []
    other.on_turn = lambda key, message: seen.append(message.message_id)  # type: ignore[assignment,return-value]
    other.accept(update)
    await other.queues.drain()
    assert seen == [update["message"]["message_id"]]
    assert zalo.message_count(user.chat_id) == before + 1
    await other.aclose()


async def test_a_turn_that_dies_before_its_commit_is_handled_when_delivered_again(
    user: ZaloUser,
    zalo: FakeZalo,
    zalo_turns: ZaloTurns,
    zalo_channel: ZaloChannel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The message is marked processed by the turn's own commit: a worker dying mid-turn
    (here the commit fails once) must not leave it marked, or Zalo's retry is dropped
    and the citizen's message lost."""
    await user.says("xin chào")
    turns = zalo_channel.runtime.turns
    save = turns.save_turn
    died: list[str] = []

    async def dies_once(*args: Any, **kwargs: Any) -> int:
        if not died:
            died.append(args[0])
            raise RuntimeError("the worker died here")
        return await save(*args, **kwargs)

    monkeypatch.setattr(turns, "save_turn", dies_once)
    update = zalo.user_sends_text(user.chat_id, "làm giấy khai sinh", queue=False)
    before = zalo.message_count(user.chat_id)
    zalo.redeliver(update)
    user.expected += 1
    await zalo_turns.wait(user.chat_id, user.expected)
    assert died and zalo.message_count(user.chat_id) == before  # nothing said, nothing kept
    zalo.redeliver(update)  # Zalo retries
    user.expected += 1
    await zalo_turns.wait(user.chat_id, user.expected)
    answered = zalo.sent_messages(user.chat_id)[before:]
    assert len(answered) == 1 and "Giấy chứng sinh" in texts(answered)
    zalo.redeliver(update)  # once answered, a repeat is dropped
    user.expected += 1
    await zalo_turns.wait(user.chat_id, user.expected)
    assert zalo.message_count(user.chat_id) == before + 1


async def test_out_of_order_and_batched_webhook_deliveries(
    user: ZaloUser, zalo: FakeZalo, zalo_turns: ZaloTurns, zalo_channel: ZaloChannel
) -> None:
    await user.says("xin chào")
    first = zalo.user_sends_text(user.chat_id, "làm giấy khai sinh", queue=False)
    second = zalo.user_sends_text(user.chat_id, "bắt đầu", queue=False)
    before = zalo.message_count(user.chat_id)
    # The later one first, then both again in one call (a list): each handled once.
    assert await post(zalo_channel, second, SECRET) == 200
    assert await post(zalo_channel, [first, second], SECRET) == 200
    user.expected += 3
    await zalo_turns.wait(user.chat_id, user.expected)
    handled = [m.message_id for m in zalo_turns.handled if m.chat_id == user.chat_id]
    assert handled[-3:] == [
        second["message"]["message_id"],
        first["message"]["message_id"],
        second["message"]["message_id"],
    ]
    answered = zalo.sent_messages(user.chat_id)[before:]
    assert len(answered) == 2  # one answer each, the repeat dropped
    # The conversation goes on from there.
    assert "Giấy chứng sinh" in texts(await user.says("làm giấy khai sinh"))


async def test_the_webhook_refuses_a_wrong_or_missing_secret(
    user: ZaloUser, zalo: FakeZalo, zalo_turns: ZaloTurns, zalo_channel: ZaloChannel
) -> None:
    update = zalo.user_sends_text(user.chat_id, "xin chào", queue=False)
    assert await post(zalo_channel, update, None) == 403
    assert await post(zalo_channel, update, "wrong-secret-wrong-secret") == 403
    assert await post(zalo_channel, update, SECRET[:-1]) == 403
    await asyncio.sleep(0.2)
    assert zalo_turns.done[user.chat_id] == 0 and zalo.message_count(user.chat_id) == 0
    assert await post(zalo_channel, update, SECRET) == 200
    await zalo_turns.wait(user.chat_id, 1)
    assert zalo.message_count(user.chat_id) > 0


async def test_updates_as_a_list(portal: PortalClient, zalo_store: Store) -> None:
    async with FakeZalo(token=TOKEN, single_update=False) as zalo:
        channel = ZaloChannel.build(
            zalo_settings(zalo), backend=portal, store=zalo_store, api=ZaloApi(TOKEN, zalo.api_base)
        )
        zalo.user_sends_text("a1", "xin chào")
        zalo.user_sends_text("a2", "xin chào")
        assert await channel.poll_once(timeout=1) == 2
        await channel.queues.drain()
        assert zalo.message_count("a1") and zalo.message_count("a2")
        await channel.aclose()


async def test_a_long_text_is_split_on_lines_errors_retried_blocked_recorded(
    zalo: FakeZalo, zalo_channel: ZaloChannel, zalo_store: Store
) -> None:
    sender = zalo_channel.sender
    sender.backoff = 0.01
    lines = [f"Dòng {i}: " + "chữ " * 20 for i in range(60)]
    long = "\n".join(lines)
    assert len(long) > 2000
    zalo.fail_next("sendMessage", 1, code=429, description="Too Many Requests")
    zalo.fail_next("sendMessage", 1, code=502, description="Bad Gateway")
    assert await sender.send("zalo:long", [Reply(long)])
    parts = [m["text"] for m in zalo.sent_messages("long")]
    assert len(parts) >= 2 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == long  # cut between lines, nothing lost
    assert all(p.split("\n")[-1] in lines for p in parts)

    zalo.block_user("gone")
    assert not await sender.send("zalo:gone", [Reply("Xin chào")])
    chat = await zalo_store.get_chat("zalo:gone")
    assert chat is not None and chat.blocked


async def test_a_slow_answer_to_one_chat_does_not_hold_up_another(
    user: ZaloUser, zalo: FakeZalo, zalo_turns: ZaloTurns
) -> None:
    other = ZaloUser(zalo, zalo_turns, "z7003")
    await user.says("xin chào")
    await other.says("xin chào")
    gate, reached = zalo.hold_next("sendMessage")  # the API answers when told to
    slow = asyncio.create_task(user.says("làm giấy khai sinh"))
    await reached.wait()  # that turn's answer is at the API, unanswered
    quick = await other.says("làm giấy khai sinh")  # answered meanwhile
    assert "Giấy chứng sinh" in texts(quick) and not slow.done()
    gate.set()
    assert "Giấy chứng sinh" in texts(await slow)


async def test_typing_is_shown_before_the_answer_of_a_slow_turn(
    user: ZaloUser, zalo: FakeZalo, zalo_channel: ZaloChannel
) -> None:
    zalo_channel.settings.typing_after = 0.0  # every turn counts as slow
    await user.says("làm giấy khai sinh")
    [typing] = zalo.called("sendChatAction")
    assert typing.params == {"chat_id": user.chat_id, "action": "typing"}
    answered = [c for c in zalo.called("sendMessage") if c.at >= typing.at]
    assert answered  # the answer came after it
