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
MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=HUE)  # the office is open


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.create_group(SUPPORT, "Tổ hỗ trợ số", is_forum=True)
        yield fake


class Running:
    """The bot process: started by the fixture, stopped and started again by a test."""

    def __init__(self, tg: FakeTelegram, portal: PortalClient, store: Store) -> None:
        self.tg, self.portal, self.store = tg, portal, store
        self.channel: TelegramChannel | None = None
        self.polling: asyncio.Task[None] | None = None

    async def start(self, now: datetime = MONDAY_9AM) -> TelegramChannel:
        settings = BotSettings(
            telegram_bot_token=TOKEN,
            telegram_api_base=self.tg.api_base,
            support_chat_id=SUPPORT,
            staff_telegram_ids="111:Lan, 112:Minh",
            volunteers=f"{VOLUNTEER}:Hà",
        )
        ch = TelegramChannel.build(settings, backend=self.portal, store=self.store, album_delay=0.3)
        ch.handoff.clock = lambda: now
        mark = self.tg.mark()
        self.polling = asyncio.create_task(
            ch.dispatcher.start_polling(ch.bot, polling_timeout=1, handle_signals=False)
        )
        await self.tg.wait_for("setMyCommands", timeout=10, since=mark)
        self.channel = ch
        return ch

    async def stop(self) -> None:
        if self.channel is None or self.polling is None:
            return
        await self.channel.dispatcher.stop_polling()
        await self.polling
        await self.channel.handoff.drain()
        await self.channel.bot.session.close()
        self.channel = self.polling = None


@pytest.fixture
async def running(
    tg: FakeTelegram, portal: PortalClient, sqlite_store: Store
) -> AsyncIterator[Running]:
    run = Running(tg, portal, sqlite_store)
    try:
        yield run
    finally:
        await run.stop()


@pytest.fixture
async def channel(running: Running) -> TelegramChannel:
    return await running.start()


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
    # One answer: the handoff's notice with the expected wait and the way back (the
    # engine adds neither its own message nor the menu).
    [notice] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "hoff:end" in notice["callback_data"]
    assert "10 phút" in notice["text"]  # office hours, nobody ahead
    await channel.handoff.drain()
    assert tg.message_count(CITIZEN) == mark + 1
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
    # The topic is closed after the citizen is told: wait for that call, not the messages.
    await tg.wait_for("closeForumTopic", timeout=10)
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
    [told] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "0234 3822 000" in told["text"]  # call the office, in one message
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


def card_of(tg: FakeTelegram, thread: int) -> str:
    text: str = tg.sent_messages(SUPPORT, message_thread_id=thread)[0]["text"]
    return text


async def test_the_topic_and_card_show_the_step_and_the_assistants_last_messages(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "Nguyễn Văn An", user={"id": CITIZEN, "first_name": "Hoa"})
    [*_, asked] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "Bé là trai hay gái?" in asked["text"]
    thread = await open_case(tg, channel)
    [topic] = tg.topics(SUPPORT)
    assert topic.name == "Hoa · Khai sinh · Bé là trai hay gái?"
    card = card_of(tg, thread)
    assert "Bước: Bé là trai hay gái?" in card
    assert "• Tên của bé: " in card and "child_name" not in card  # the short label
    _, last = card.split("Tin nhắn gần nhất của trợ lý:\n")
    assert "› " in last and "Bé là trai hay gái?" in last

    # An officer fills in the mother's ID: the citizen sees it to confirm, and after
    # the case is closed, the next case's card shows that message with the ID masked.
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "/set mother_id 046199888777", message_thread_id=thread, user=LAN)
    # "Dạ." first takes away the keyboard of the sex question, then the confirmation.
    [_, confirm] = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert "046199888777" in confirm["text"]  # the citizen's own number, to them
    mark = tg.message_count(CITIZEN)
    calls = tg.mark()
    tg.user_sends_text(SUPPORT, "/close", message_thread_id=thread, user=LAN)
    await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    await tg.wait_for("closeForumTopic", timeout=10, since=calls)  # after the messages
    mark, calls = tg.message_count(CITIZEN), tg.mark()
    tg.user_sends_text(CITIZEN, "cho tôi gặp cán bộ")
    await tg.wait_for("createForumTopic", timeout=10, since=calls)
    await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)  # the wait notice
    first, second = tg.topics(SUPPORT)
    assert first.closed and not second.closed
    assert second.name == "Hoa · Khai sinh · Số căn cước (CCCD) của mẹ bé?"
    card = card_of(tg, second.message_thread_id)
    _, last = card.split("Tin nhắn gần nhất của trợ lý:\n")
    assert "046******777" in last and "Lan" in last
    assert "046199888777" not in card


async def test_a_restart_keeps_the_case_and_its_title(
    tg: FakeTelegram, running: Running, portal: PortalClient, sqlite_store: Store
) -> None:
    channel = await running.start()
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    await running.stop()
    channel = await running.start()  # a new process: nothing in memory
    tg.user_deletes_topic(SUPPORT, thread)
    # Another display name now: the title keeps the name the case was opened with.
    tg.user_sends_text(CITIZEN, "Cán bộ ơi?", user={"id": CITIZEN, "first_name": "Bà Hoa"})
    await tg.wait_for("copyMessage", timeout=10)
    old, new = tg.topics(SUPPORT)
    assert old.message_thread_id == thread
    assert new.name == "Hoa · Khai sinh · Họ và tên của bé là gì?"
    assert "Người dân: Hoa" in card_of(tg, new.message_thread_id)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(SUPPORT, "Cháu đây ạ", message_thread_id=new.message_thread_id, user=LAN)
    intro, answer = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert intro["text"] == "Cán bộ Lan đang trả lời Bác."
    assert answer["text"] == "Cháu đây ạ"


async def test_link_apps_and_wrong_commands(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)

    async def staff(text: str, n: int = 1) -> list[dict[str, Any]]:
        since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
        tg.user_sends_text(SUPPORT, text, message_thread_id=thread, user=LAN)
        return await group_says(tg, thread, since, n)

    [wrong] = await staff("/set nowhere 1")
    assert wrong["text"].startswith("Cách dùng: /set") and "child_name" in wrong["text"]
    [wrong] = await staff("/set child_name")  # no value
    assert wrong["text"].startswith("Cách dùng: /set")
    [wrong] = await staff("/return nowhere")
    assert wrong["text"].startswith("Cách dùng: /return") and "child_name" in wrong["text"]
    [unknown] = await staff("/frobnicate")
    assert unknown["text"].startswith("Lệnh không đúng.") and "/close" in unknown["text"]

    [usage] = await staff("/link")
    assert usage["text"].startswith("Cách dùng: /link") and "certified_copy" in usage["text"]
    mark = tg.message_count(CITIZEN)
    [done] = await staff("/link certified_copy")
    [link] = tg.sent_messages(CITIZEN)[mark:]
    assert link["text"].startswith("Cán bộ Lan gửi Bác đường dẫn để bắt đầu thủ tục:")
    assert link["text"].endswith("?start=proc_certified_copy")
    assert "?start=proc_certified_copy" in done["text"]
    # The citizen taps it: the staff see it, and the assistant opens that procedure.
    since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "/start proc_certified_copy")
    [copied] = await group_says(tg, thread, since)
    assert copied["text"] == "/start proc_certified_copy"
    [*_, checklist] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert (await sqlite_store.load_state(KEY)).procedure == "certified_copy"
    assert checklist["buttons"]
    assert await channel.handoff.cases.open_case_of(KEY) is not None

    [apps] = await staff("/apps")
    assert "Đăng ký khai sinh" in apps["text"]
    assert "046******123" in apps["text"] and "046123456123" not in apps["text"]

    case = await channel.handoff.cases.open_case_of(KEY)
    assert case is not None
    logged = [(e.actor, e.action) for e in await channel.handoff.cases.case_log(case.id)]
    assert ("staff:111:Lan", "link") in logged and ("staff:111:Lan", "apps") in logged


async def test_out_of_hours_the_citizen_is_told_when_and_waits_in_the_queue(
    tg: FakeTelegram, running: Running, portal: PortalClient, sqlite_store: Store
) -> None:
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=HUE)
    channel = await running.start(now=sunday)
    await in_the_form(portal, sqlite_store)
    mark = tg.message_count(CITIZEN)
    tg.user_sends_text(CITIZEN, "/human", user={"id": CITIZEN, "first_name": "Hoa"})
    [notice] = await tg.wait_for_messages(CITIZEN, 1, since=mark, timeout=10)
    assert "hoff:end" in notice["callback_data"]
    assert "ngoài giờ làm việc" in notice["text"]
    assert "07:30 Thứ Hai ngày 09/03" in notice["text"]
    assert await channel.handoff.cases.open_case_of(KEY) is not None
    assert len(tg.topics(SUPPORT)) == 1  # the team finds it on Monday

    # On Monday morning a second citizen asks: one case is ahead in the queue.
    channel.handoff.clock = lambda: MONDAY_9AM
    other = CITIZEN + 1
    calls = tg.mark()
    tg.user_sends_text(other, "/human", user={"id": other, "first_name": "Tư"})
    call = await tg.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and str(c.params.get("chat_id")) == str(other)
            and "hoff:end" in str(c.params.get("reply_markup"))
        ),
        timeout=10,
        since=calls,
    )
    notice = call.params
    assert notice is not None and "15 phút" in notice["text"]


async def test_voice_notes_and_documents_both_ways_and_who_answers(
    tg: FakeTelegram, channel: TelegramChannel, portal: PortalClient, sqlite_store: Store
) -> None:
    await in_the_form(portal, sqlite_store)
    thread = await open_case(tg, channel)
    since = len(tg.sent_messages(SUPPORT, message_thread_id=thread))
    tg.user_sends_voice(CITIZEN, duration=4)
    pdf = b"%PDF-1.4\n% giay chung sinh\n%%EOF\n"
    tg.user_sends_document(CITIZEN, pdf, "giay-chung-sinh.pdf", caption="giấy chứng sinh")
    voice, document = await group_says(tg, thread, since, 2)
    assert voice["voice"]["duration"] == 4 and voice["voice_bytes"]
    assert document["document_bytes"] == pdf and document["caption"] == "giấy chứng sinh"

    mark = tg.message_count(CITIZEN)
    tg.user_sends_voice(SUPPORT, duration=7, message_thread_id=thread, user=LAN)
    intro, spoken = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert intro["text"] == "Cán bộ Lan đang trả lời Bác."
    assert spoken["voice"]["duration"] == 7
    # Another officer takes over: the citizen is told who answers now.
    mark = tg.message_count(CITIZEN)
    minh = {"id": 112, "first_name": "Minh", "is_bot": False}
    tg.user_sends_document(
        SUPPORT, pdf, "mau-to-khai.pdf", caption="Mẫu tờ khai", message_thread_id=thread, user=minh
    )
    intro, sent = await tg.wait_for_messages(CITIZEN, 2, since=mark, timeout=10)
    assert intro["text"] == "Cán bộ Minh đang trả lời Bác."
    assert sent["document_bytes"] == pdf and sent["caption"] == "Mẫu tờ khai"
