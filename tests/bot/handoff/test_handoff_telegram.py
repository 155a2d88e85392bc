"""Handoff to people over the fake Bot API: the real Dispatcher, the real engine and the
real portal; the support team is a forum supergroup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from backend_client import PortalClient
from bot.handoff.models import HandoffCase
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from dialogs import State
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import HUE
from tests.support.images import photo

TOKEN = "123456:TEST"
CITIZEN = 4242
KEY = f"telegram:{CITIZEN}"
SUPPORT = -1001234
LAN = {"id": 111, "first_name": "Lan", "is_bot": False}
STRANGER = {"id": 999, "first_name": "Khách", "is_bot": False}
VOLUNTEER = 333
PROC = "birth_registration"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.create_group(SUPPORT, "Tổ hỗ trợ số", is_forum=True)
        yield fake


@pytest.fixture
async def channel(
    tg: FakeTelegram, portal: PortalClient, sqlite_store: Store
) -> AsyncIterator[TelegramChannel]:
    settings = BotSettings(
        telegram_bot_token=TOKEN,
        telegram_api_base=tg.api_base,
        support_chat_id=SUPPORT,
        staff_telegram_ids="111:Lan, 112:Minh",
        volunteers=f"{VOLUNTEER}:Hà",
    )
    ch = TelegramChannel.build(settings, backend=portal, store=sqlite_store, album_delay=0.3)
    # Monday 9:00 in Hue: the office is open.
    ch.handoff.clock = lambda: datetime(2026, 3, 9, 9, 0, tzinfo=HUE)
    polling = asyncio.create_task(
        ch.dispatcher.start_polling(ch.bot, polling_timeout=1, handle_signals=False)
    )
    await tg.wait_for("setMyCommands", timeout=10)
    try:
        yield ch
    finally:
        await ch.dispatcher.stop_polling()
        await polling
        await ch.handoff.drain()


async def in_the_form(portal: PortalClient, store: Store) -> str:
    """A citizen at the first question of a birth registration, one answer given."""
    app = await portal.create_application(KEY, PROC)
    await portal.set_answers(KEY, app.id, {"mother_id": "046123456123"})
    state = State(
        greeted=True,
        consent=True,
        lang_chosen=True,
        flow="form",
        procedure=PROC,
        app_id=app.id,
        field="child_name",
        answers={"mother_id": "046123456123"},
    )
    await store.save_state(KEY, state, 0)
    return app.id


async def open_case(tg: FakeTelegram, channel: TelegramChannel) -> int:
    """The citizen asks for a person; returns the topic's thread id."""
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "/human", user={"id": CITIZEN, "first_name": "Hoa"})
    await tg.wait_for("createForumTopic", timeout=10)
    # The engine's answer, then the handoff's notice with the way back.
    replies = await tg.wait_for_messages(CITIZEN, 3, since=mark, timeout=10)
    notice = next(r for r in replies if "hoff:end" in r["callback_data"])
    assert "10 phút" in notice["text"]  # office hours, nobody ahead
    [topic] = tg.topics(SUPPORT)
    return topic.message_thread_id


async def group_says(tg: FakeTelegram, thread: int, since: int, n: int = 1) -> list[dict[str, Any]]:
    return await tg.wait_for_messages(SUPPORT, n, since=since, message_thread_id=thread, timeout=10)


async def test_relay_both_ways_set_return_and_close(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    app_id = await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    [topic] = tg.topics(SUPPORT)
    assert topic.name.startswith("Hoa · Khai sinh")
    [card] = tg.sent_messages(SUPPORT, message_thread_id=thread)[-1:]
    assert "046******123" in card["text"] and "046123456123" not in card["text"]
    assert "Đăng ký khai sinh" in card["text"]

    # Citizen → topic: a text and a photo, copied (not to the engine).
    in_topic = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    tg.user_sends_text(CITIZEN, "Tôi không biết điền tên cháu")
    picture = photo()
    tg.user_sends_photo(CITIZEN, picture, caption="giấy chứng sinh")
    text_copy, photo_copy = await group_says(tg, thread, in_topic, 2)
    assert text_copy["method"] == "copyMessage"
    assert text_copy["text"] == "Tôi không biết điền tên cháu"
    assert photo_copy["file_bytes"] == picture and photo_copy["caption"] == "giấy chứng sinh"

    # Staff → citizen: introduced once, then copied.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "Chào Bác, cháu giúp Bác nhé", message_thread_id=thread, user=LAN)
    intro, copied = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert intro["text"] == "Cán bộ Lan đang trả lời Bác."
    assert copied["text"] == "Chào Bác, cháu giúp Bác nhé"
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "Bác chờ cháu chút", message_thread_id=thread, user=LAN)
    [again] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert again["text"] == "Bác chờ cháu chút"

    # /set saves in the portal, recorded as Lan's, and the citizen is asked to confirm.
    mark = tg.message_count(CITIZEN)
    since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    tg.user_sends_text(SUPPORT, "/set child_name Nguyễn Văn An", message_thread_id=thread, user=LAN)
    [confirm] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "Lan" in confirm["text"] and "Nguyễn Văn An" in confirm["text"]
    assert any(d.endswith("staffok") for d in confirm["callback_data"])
    app = await portal.get_application(KEY, app_id)
    assert app.answers["child_name"] == "Nguyễn Văn An"
    assert app.answers["mother_id"] == "046123456123"  # the other answer untouched
    [done] = await group_says(tg, thread, since)
    assert "child_name" in done["text"]
    case = await channel.handoff.cases.open_case_of(KEY)
    assert case is not None
    log = await channel.handoff.cases.case_log(case.id)
    [entry] = [e for e in log if e.action == "answer_set"]
    assert entry.actor == "staff:111:Lan"
    assert entry.detail == {"app_id": app_id, "field": "child_name", "value": "Nguyễn Văn An"}

    # /return sends the citizen to a step of the form.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "/return mother_name", message_thread_id=thread, user=LAN)
    [question] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    state = await sqlite_store.load_state(KEY)
    assert state.field == "mother_name" and state.flow == "form"
    assert question["text"]

    # /close: the engine says so and the assistant takes over again.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "/close", message_thread_id=thread, user=LAN)
    closed = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert "Lan" in closed[0]["text"]
    assert await channel.handoff.cases.open_case_of(KEY) is None
    assert await sqlite_store.open_handoffs(KEY) == []
    assert tg.topics(SUPPORT)[0].closed
    in_topic = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "Trần Thị Bình")  # answers mother_name, to the engine
    await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert len(tg.sent_messages(SUPPORT, message_thread_id=thread)) == in_topic
    app = await portal.get_application(KEY, app_id)
    assert app.answers["mother_name"] == "Trần Thị Bình"


async def test_staff_commands_from_others_are_refused(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "/close", message_thread_id=thread, user=STRANGER)
    [refusal] = await group_says(tg, thread, since)
    assert "STAFF_TELEGRAM_IDS" in refusal["text"]
    tg.user_sends_text(SUPPORT, "xin chào", message_thread_id=thread, user=STRANGER)
    [refusal] = await group_says(tg, thread, since + 1)
    assert "STAFF_TELEGRAM_IDS" in refusal["text"]
    assert await channel.handoff.cases.open_case_of(KEY) is not None
    assert tg.message_count(CITIZEN) == mark  # nothing reached the citizen


async def test_a_deleted_topic_is_reopened(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    tg.user_deletes_topic(SUPPORT, thread)
    tg.user_sends_text(CITIZEN, "Cán bộ ơi?")
    await tg.wait_for("copyMessage", timeout=10)
    topics = tg.topics(SUPPORT)
    assert len(topics) == 2
    new = topics[1].message_thread_id
    card, copied = await group_says(tg, new, 0, 2)
    assert "đã bị xoá" in card["text"]
    assert copied["text"] == "Cán bộ ơi?"
    case = await channel.handoff.cases.open_case_of(KEY)
    assert case is not None and case.topic_id == new
    # Staff answer in the new topic reaches the citizen.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "Cháu đây ạ", message_thread_id=new, user=LAN)
    _, answer = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert answer["text"] == "Cháu đây ạ"


async def test_bot_removed_from_the_group(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    tg.kick_bot(SUPPORT)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "/human")
    replies = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert "0234 3822 000" in replies[0]["text"]  # call the office
    [request] = await sqlite_store.open_handoffs(KEY)  # the request stays recorded
    assert request.reason == "command"
    assert await channel.handoff.cases.open_case_of(KEY) is None
    # The citizen is back with the assistant: the next text answers the question.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "Nguyễn Văn An")
    await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert (await sqlite_store.load_state(KEY)).answers.get("child_name") == "Nguyễn Văn An"


async def test_bot_removed_while_a_case_is_open(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    await open_case(tg, channel)
    case = await channel.handoff.cases.open_case_of(KEY)
    assert case is not None
    tg.kick_bot(SUPPORT)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "Có ai không?")
    [told] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "0234 3822 000" in told["text"]
    stored = await channel.handoff.cases._run(lambda db: db.get(HandoffCase, case.id))
    assert stored is not None and stored.status == "unreachable"


async def test_a_citizen_who_blocked_the_bot(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    tg.block_user(CITIZEN)
    since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    tg.user_sends_text(SUPPORT, "Bác còn đó không?", message_thread_id=thread, user=LAN)
    [note] = await group_says(tg, thread, since)
    assert "chặn" in note["text"]
    chat = await sqlite_store.get_chat(KEY)
    assert chat is not None and chat.blocked


async def test_a_volunteer_starts_an_application_for_a_citizen(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient
) -> None:
    tg.user_starts(CITIZEN)  # the citizen has a chat with the bot
    await tg.wait_for_messages(CITIZEN, 2, timeout=10)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(VOLUNTEER, f"/assist {CITIZEN} {PROC}")
    [ask] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "Hà" in ask["text"] and "Đăng ký khai sinh" in ask["text"]
    [told] = await tg.wait_for_messages(VOLUNTEER, 1, timeout=10)
    assert "hỏi người dân" in told["text"]
    assert await portal.my_applications(KEY) == []  # nothing before consent
    mark = tg.message_count(CITIZEN)
    tg.user_presses_button(CITIZEN, ask["message_id"], ask["callback_data"][0])
    await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    await tg.wait_for_messages(VOLUNTEER, 2, timeout=10)
    [app] = await portal.my_applications(KEY)
    full = await portal.get_application(KEY, app.id)
    # The application is the citizen's: the notifier writes to the citizen's chat.
    assert full.citizen == KEY
    assert full.assisted_by == f"telegram:{VOLUNTEER}"


async def test_a_volunteer_with_a_citizen_without_a_chat(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient
) -> None:
    tg.user_sends_text(VOLUNTEER, f"/assist {PROC}")
    [need] = await tg.wait_for_messages(VOLUNTEER, 1, timeout=10)
    assert "danh bạ" in need["text"]
    tg.user_sends_contact(VOLUNTEER, "+84 912 345 678", "Bà Tư", contact_user_id=0)
    _, created = await tg.wait_for_messages(VOLUNTEER, 2, timeout=10)
    assert "091****678" in created["text"]
    [app] = await portal.my_applications(f"telegram:{VOLUNTEER}")
    assert app.citizen == "phone:0912345678"


async def test_a_non_volunteer_cannot_assist(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient
) -> None:
    tg.user_sends_text(CITIZEN, f"/assist 5555 {PROC}")
    await tg.wait_for_messages(CITIZEN, 2, timeout=10)  # the assistant answered instead
    assert tg.message_count(5555) == 0
