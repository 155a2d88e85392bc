"""The fake Bot API, driven by the real aiogram Bot over HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.support.images import MINIMAL_PDF, photo

from . import FakeTelegram, WaitTimeout
from .telegram_limits import SendLimiter

TOKEN = "123456:TEST"
CHAT = 4242
GROUP = -1001234567890
OTHER = 777  # another private chat, a copy/forward target


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


def make_bot(api_base: str) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg.api_base)
    yield bot
    await bot.session.close()


def inline(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


async def test_get_me_comes_from_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "motcua_test_bot"


async def test_send_message_with_inline_keyboard_is_recorded_and_parsed(
    tg: FakeTelegram, bot: Bot
) -> None:
    markup = inline(("Nộp hồ sơ mới", "menu:new"), ("Tra cứu hồ sơ", "menu:track"))
    sent = await bot.send_message(CHAT, "Chào Bác!", reply_markup=markup)

    assert isinstance(sent, Message)
    assert sent.chat.id == CHAT
    assert sent.text == "Chào Bác!"
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump(exclude_none=True) == markup.model_dump(exclude_none=True)
    [recorded] = tg.sent_messages(CHAT)
    assert recorded["message_id"] == sent.message_id
    assert recorded["buttons"] == [["Nộp hồ sơ mới"], ["Tra cứu hồ sơ"]]
    assert recorded["callback_data"] == ["menu:new", "menu:track"]
    call = await tg.wait_for("sendMessage")
    assert call.params["chat_id"] == CHAT
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:new"


async def test_reply_keyboard_is_recorded_but_not_part_of_the_message(
    tg: FakeTelegram, bot: Bot
) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Có"), KeyboardButton(text="Không")]],
        resize_keyboard=True,
    )
    sent = await bot.send_message(CHAT, "Bác đồng ý không?", reply_markup=keyboard)

    assert sent.reply_markup is None
    recorded = tg.last_message(CHAT)
    assert recorded["buttons"] == [["Có", "Không"]]
    assert recorded["reply_markup"]["resize_keyboard"] is True


async def test_long_polling_blocks_until_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await tg.wait_for("getUpdates", ok=None)  # the request is in, and held
    assert not poll.done()
    injected = tg.user_sends_text(CHAT, "xin chào", user={"first_name": "Hoa"})

    [update] = await poll
    assert update.update_id == injected.update_id
    assert update.message is not None
    assert update.message.text == "xin chào"
    assert update.message.from_user is not None
    assert update.message.from_user.first_name == "Hoa"
    assert update.message.from_user.language_code == "vi"


async def test_offset_confirms_updates_and_timeout_returns_empty(
    tg: FakeTelegram, bot: Bot
) -> None:
    first = tg.user_sends_text(CHAT, "một")
    second = tg.user_sends_text(CHAT, "hai")
    assert second.update_id > first.update_id

    both = await bot.get_updates(timeout=0)
    assert [u.update_id for u in both] == [first.update_id, second.update_id]
    again = await bot.get_updates(timeout=0)
    assert len(again) == 2  # not confirmed yet
    assert await bot.get_updates(offset=second.update_id + 1, timeout=1) == []


async def test_limit_caps_the_batch(tg: FakeTelegram, bot: Bot) -> None:
    updates = [tg.user_sends_text(CHAT, str(i)) for i in range(5)]
    batch = await bot.get_updates(limit=2, timeout=0)
    assert [u.update_id for u in batch] == [u.update_id for u in updates[:2]]
    rest = await bot.get_updates(offset=batch[-1].update_id + 1, timeout=0)
    assert [u.update_id for u in rest] == [u.update_id for u in updates[2:]]


async def test_button_press_arrives_as_callback_query_and_can_be_answered(
    tg: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(CHAT, "Chọn:", reply_markup=inline(("Có", "yes")))
    pressed = tg.user_presses_button(CHAT, sent.message_id, "yes")

    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert query.data == "yes"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Đã nhận")
    assert tg.callback_answers[-1]["text"] == "Đã nhận"
    assert pressed.callback_query is not None
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(ValueError, match="no such button"):
        tg.user_presses_button(CHAT, sent.message_id, "no")


async def test_user_photo_is_downloadable_through_get_file(tg: FakeTelegram, bot: Bot) -> None:
    image = photo(1600, 1200)
    tg.user_sends_photo(CHAT, image, caption="giấy khai sinh")

    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.photo is not None
    sizes = update.message.photo
    assert [s.width for s in sizes] == sorted(s.width for s in sizes)
    assert sizes[-1].width == 1600 and sizes[-1].height == 1200
    assert len(sizes) > 1
    assert update.message.caption == "giấy khai sinh"
    downloaded = await bot.download(sizes[-1].file_id)
    assert downloaded is not None
    assert downloaded.read() == image
    thumb = await bot.download(sizes[0].file_id)
    assert thumb is not None
    assert thumb.read()[:2] == b"\xff\xd8"  # a JPEG of its own


async def test_document_voice_sticker_location_contact_and_edits(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.user_sends_document(CHAT, MINIMAL_PDF, "to-khai.pdf", "application/pdf")
    tg.user_sends_voice(CHAT)
    tg.user_sends_sticker(CHAT)
    tg.user_sends_location(CHAT, 16.46, 107.59)
    tg.user_sends_contact(CHAT, "+84905123456")
    text = tg.user_sends_text(CHAT, "ngay sinh 5/3/1950")
    assert text.message is not None
    tg.user_edits_message(CHAT, text.message["message_id"], "ngày sinh 05/03/1950")

    updates = await bot.get_updates(timeout=0)
    document, voice, sticker, location, contact, _, edited = updates
    assert document.message and document.message.document
    assert document.message.document.file_name == "to-khai.pdf"
    file = await bot.get_file(document.message.document.file_id)
    assert file.file_path is not None
    body = await bot.download_file(file.file_path)
    assert body is not None and body.read() == MINIMAL_PDF
    assert voice.message and voice.message.voice and voice.message.voice.duration == 3
    assert sticker.message and sticker.message.sticker
    assert location.message and location.message.location
    assert location.message.location.latitude == pytest.approx(16.46)
    assert contact.message and contact.message.contact
    assert contact.message.contact.user_id == CHAT
    assert edited.edited_message and edited.edited_message.text == "ngày sinh 05/03/1950"


async def test_oversized_document_cannot_be_fetched(tg: FakeTelegram, bot: Bot) -> None:
    huge = tg.user_sends_document(
        CHAT, b"%PDF-1.4", "scan.pdf", "application/pdf", file_size=50 * 1024 * 1024
    )
    assert huge.message is not None
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(huge.message["document"]["file_id"])


async def test_redelivered_update_arrives_twice_with_the_same_id(
    tg: FakeTelegram, bot: Bot
) -> None:
    first = tg.user_sends_text(CHAT, "/start")
    [update] = await bot.get_updates(timeout=0)
    tg.redeliver(first.update_id)
    later = tg.user_sends_text(CHAT, "tiếp")

    batch = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert [u.update_id for u in batch] == [first.update_id, later.update_id]
    assert await bot.get_updates(offset=later.update_id + 1, timeout=0) == []


async def test_injected_429_surfaces_as_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", 2, error_code=429, retry_after=7)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(CHAT, "thông báo")
        assert caught.value.retry_after == 7
    await bot.send_message(CHAT, "thông báo")

    assert tg.stats.too_many_requests == 2
    assert len(tg.sent_messages(CHAT)) == 1
    failed = tg.calls_of("sendMessage", ok=False)
    assert failed[0].description == "Too Many Requests: retry after 7"


async def test_injected_5xx_and_a_lost_answer(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", error_code=502)
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "một")
    assert tg.sent_messages(CHAT) == []

    tg.fail_next("sendMessage", error_code=500, after_commit=True)
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "hai")
    assert [m["text"] for m in tg.sent_messages(CHAT)] == ["hai"]
    assert tg.stats.errors[500] == 1 and tg.stats.errors[502] == 1


async def test_blocked_user_gets_forbidden_while_others_still_receive(
    tg: FakeTelegram, bot: Bot
) -> None:
    blocked = tg.block_user(CHAT, notify=True)
    assert blocked is not None
    [update] = await bot.get_updates(timeout=0)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "Hồ sơ đã được duyệt")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(CHAT, "typing")
    await bot.send_message(CHAT + 1, "Hồ sơ đã được duyệt")
    assert tg.sent_messages(CHAT) == []
    assert len(tg.sent_messages(CHAT + 1)) == 1
    tg.unblock_user(CHAT)
    await bot.send_message(CHAT, "Hồ sơ đã được duyệt")


async def test_telegram_validation_errors(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    await bot.send_message(CHAT, "a" * 4096)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "   ")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "Chọn", reply_markup=inline(("x", "đ" * 33)))
    await bot.send_message(CHAT, "Chọn", reply_markup=inline(("x", "d" * 64)))
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-100999, "ai đó")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(CHAT, "<b>đậm", parse_mode="HTML")
    assert len(tg.sent_messages(CHAT)) == 2


async def test_html_is_parsed_and_measured_after_parsing(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT, "<b>Mã hồ sơ:</b> " + "x" * 4080 + " &lt;ok&gt;", parse_mode="HTML"
    )
    assert sent.text is not None and sent.text.endswith("<ok>")
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.entities[0].length == len("Mã hồ sơ:")
    assert tg.last_message(CHAT)["raw_text"].startswith("<b>")


async def test_edit_delete_copy_forward(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Bước 1/8", reply_markup=inline(("Quay lại", "back")))
    edited = await bot.edit_message_text(
        "Bước 2/8", chat_id=CHAT, message_id=sent.message_id, reply_markup=inline(("Ok", "ok"))
    )
    assert isinstance(edited, Message) and edited.text == "Bước 2/8"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Bước 2/8", chat_id=CHAT, message_id=sent.message_id, reply_markup=inline(("Ok", "ok"))
        )
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    view = tg.message(CHAT, sent.message_id)
    assert view["text"] == "Bước 2/8" and view["buttons"] == [] and view["edits"] == 2

    user_update = tg.user_sends_text(CHAT, "giấy tờ của tôi")
    assert user_update.message is not None
    copied = await bot.copy_message(OTHER, CHAT, user_update.message["message_id"])
    assert tg.message(OTHER, copied.message_id)["text"] == "giấy tờ của tôi"
    forwarded = await bot.forward_message(OTHER, CHAT, user_update.message["message_id"])
    assert forwarded.forward_origin is not None

    assert await bot.delete_message(CHAT, sent.message_id)
    assert tg.sent_messages(CHAT, include_deleted=False) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_bot_files_are_kept_and_retrievable(tg: FakeTelegram, bot: Bot) -> None:
    qr = photo(400, 400, fmt="PNG", text="QR")
    sent_photo = await bot.send_photo(
        CHAT, BufferedInputFile(qr, "qr.png"), caption="Quét mã để chuyển khoản"
    )
    sent_doc = await bot.send_document(CHAT, BufferedInputFile(MINIMAL_PDF, "bien-nhan.pdf"))
    sent_voice = await bot.send_voice(CHAT, BufferedInputFile(b"OggS-voice", "note.ogg"))
    await bot.send_chat_action(CHAT, "upload_photo")

    assert sent_photo.photo is not None and sent_photo.caption == "Quét mã để chuyển khoản"
    assert sent_doc.document is not None and sent_doc.document.file_name == "bien-nhan.pdf"
    assert sent_voice.voice is not None
    photo_msg, doc_msg, voice_msg = tg.sent_messages(CHAT)
    assert photo_msg["photo_bytes"] == qr
    assert doc_msg["document_bytes"] == MINIMAL_PDF
    assert voice_msg["voice_bytes"] == b"OggS-voice"
    assert tg.file_bytes(sent_photo.photo[-1].file_id) == qr
    # Sending again by file_id reuses the stored bytes.
    await bot.send_document(CHAT + 1, sent_doc.document.file_id)
    assert tg.last_message(CHAT + 1)["document_bytes"] == MINIMAL_PDF
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"not an image", "x.jpg"))
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(CHAT, "no-such-file-id")


async def test_commands_menu(tg: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Bắt đầu")]
    assert await bot.set_my_commands(commands, language_code="vi")
    got = await bot.get_my_commands(language_code="vi")
    assert [c.model_dump() for c in got] == [c.model_dump() for c in commands]
    assert await bot.get_my_commands() == []
    assert tg.commands_for(language_code="vi") == [{"command": "start", "description": "Bắt đầu"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bắt-đầu", description="x")])


async def test_unknown_method_is_404(tg: FakeTelegram) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{tg.api_base}/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"}) as resp,
    ):
        body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_json_body_clients_are_understood(tg: FakeTelegram) -> None:
    payload = {"chat_id": CHAT, "text": "từ httpx", "reply_markup": {"remove_keyboard": True}}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{tg.api_base}/bot{TOKEN}/sendmessage", json=payload) as resp,
    ):
        body = await resp.json()
    assert body["ok"] is True and body["result"]["text"] == "từ httpx"
    assert tg.calls[-1].method == "sendMessage"


async def test_forum_topics(tg: FakeTelegram, bot: Bot) -> None:
    tg.create_group(GROUP, "Tổ công nghệ số", is_forum=True)
    topic = await bot.create_forum_topic(GROUP, "Bà Lan – Khai sinh – Bước 3")
    sent = await bot.send_message(GROUP, "Thẻ hồ sơ", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    staff = tg.user_sends_text(
        GROUP,
        "Chào bác, cháu là Minh",
        user={"id": 9001, "first_name": "Minh"},
        message_thread_id=topic.message_thread_id,
        chat_type="supergroup",
        is_forum=True,
    )
    [update] = await bot.get_updates(timeout=0)
    assert update.update_id == staff.update_id
    assert update.message is not None
    assert update.message.message_thread_id == topic.message_thread_id
    assert update.message.is_topic_message

    assert await bot.edit_forum_topic(GROUP, topic.message_thread_id, name="Bà Lan – đã xong")
    assert await bot.close_forum_topic(GROUP, topic.message_thread_id)
    [stored] = tg.topics(GROUP)
    assert stored.name == "Bà Lan – đã xong" and stored.closed
    assert await bot.delete_forum_topic(GROUP, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(GROUP, "còn đó không?", message_thread_id=topic.message_thread_id)
    assert tg.sent_messages(GROUP, message_thread_id=topic.message_thread_id)[0]["deleted"]

    tg.create_group(-100555, "Nhóm thường")
    with pytest.raises(TelegramBadRequest, match="not a forum"):
        await bot.create_forum_topic(-100555, "x")
    tg.kick_bot(GROUP)
    with pytest.raises(TelegramForbiddenError, match="kicked"):
        await bot.send_message(GROUP, "xin chào")


async def test_webhook_delivery_carries_the_secret_header(tg: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = [1]

    async def receive(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        if failures:
            failures.pop()
            return web.Response(status=500)  # Telegram retries until it gets a 2xx
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t_T-1")
        with pytest.raises(TelegramBadRequest):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="bad secret!")
        injected = tg.user_sends_text(CHAT, "xin chào")
        await tg.wait_for_webhook_delivery(injected.update_id)
        assert [secret for secret, _ in received] == ["s3cr3t_T-1", "s3cr3t_T-1"]
        assert received[-1][1]["update_id"] == injected.update_id
        assert [d.status for d in tg.webhook_deliveries] == [500, 200]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message is not None
        with pytest.raises(Exception, match="webhook is active"):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


async def test_aiogram_webhook_reply_in_the_response_is_executed(
    tg: FakeTelegram, bot: Bot
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"Bác vừa gửi: {message.text}")

    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, secret_token="hook-secret", handle_in_background=False
    ).register(app, path="/tg")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/tg", secret_token="hook-secret")
        tg.user_sends_text(CHAT, "số 3")
        [reply] = await tg.wait_for_messages(CHAT, 1)
        assert reply["text"] == "Bác vừa gửi: số 3"
        assert tg.calls_of("sendMessage")[0].via_webhook_reply
    finally:
        await runner.cleanup()


async def test_dispatcher_polling_echoes_through_the_fake(tg: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"Bác vừa gửi: {message.text}")

    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    try:
        injected = tg.user_sends_text(CHAT, "Tôi muốn làm giấy khai sinh")
        reply = await tg.wait_for_reply(injected, timeout=10)
        assert reply["text"] == "Bác vừa gửi: Tôi muốn làm giấy khai sinh"
        tg.user_sends_text(CHAT, "cảm ơn")
        messages = await tg.wait_for_messages(CHAT, 2, timeout=10)
        assert messages[1]["text"] == "Bác vừa gửi: cảm ơn"
    finally:
        await dispatcher.stop_polling()
        await polling
    # Every update was confirmed by the polling loop's offset.
    assert len(tg.calls_of("getUpdates")) >= 2


async def test_enforced_private_chat_limit_answers_429_after_the_burst() -> None:
    # A frozen clock: the burst is spent and no token comes back.
    async with FakeTelegram(enforce_limits=True, private_burst=3, clock=lambda: 100.0) as tg:
        bot = make_bot(tg.api_base)
        try:
            for i in range(3):
                await bot.send_message(CHAT, f"tin {i}")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(CHAT, "tin 4")
            assert caught.value.retry_after >= 1
            await bot.send_message(CHAT + 1, "chat khác vẫn gửi được")
            await bot.edit_message_text("sửa không tính", chat_id=CHAT, message_id=1)
        finally:
            await bot.session.close()
        assert tg.stats.rate_limited == 1
        assert tg.stats.too_many_requests == 1
        assert tg.stats.messages_sent == 4


def test_limiter_rules_with_a_fake_clock() -> None:
    now = [0.0]
    limiter = SendLimiter(scale=1.0, private_burst=3, clock=lambda: now[0])
    assert [limiter.try_send(1) for _ in range(3)] == [None, None, None]
    assert limiter.try_send(1) == 1
    now[0] += 1.0
    assert limiter.try_send(1) is None
    # A group: 20 at once, then one every 3 seconds.
    assert all(limiter.try_send(-5) is None for _ in range(20))
    assert limiter.try_send(-5) == 3
    # Global: 30 per second across chats.
    now[0] += 100.0
    assert all(limiter.try_send(1000 + i) is None for i in range(30))
    assert limiter.try_send(2000) == 1


async def test_wait_for_reports_what_the_bot_did(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "chỉ một tin")
    with pytest.raises(WaitTimeout, match="chỉ một tin"):
        await tg.wait_for_messages(CHAT, 2, timeout=0.2)


async def test_threaded_server_serves_a_bot_in_another_loop() -> None:
    with FakeTelegram.run_in_thread() as tg:
        bot = make_bot(tg.api_base)
        try:
            injected = tg.user_sends_text(CHAT, "/start trk_ABC123")
            [update] = await bot.get_updates(timeout=0)
            assert update.update_id == injected.update_id
            assert update.message is not None and update.message.text == "/start trk_ABC123"
            await bot.send_message(CHAT, "Hồ sơ ABC123")
            messages = await tg.acall("wait_for_messages", CHAT, 1)
            assert messages[0]["text"] == "Hồ sơ ABC123"
            assert tg.stats.messages_sent == 1
            assert [c.method for c in tg.calls] == ["getUpdates", "sendMessage"]
        finally:
            await bot.session.close()


async def test_albums_both_ways(tg: FakeTelegram, bot: Bot) -> None:
    pages = [photo(800, 1100, text=f"TRANG {i}") for i in range(3)]
    injected = tg.user_sends_album(CHAT, pages, caption="bản sao 3 trang")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [i.update_id for i in injected]
    groups = {u.message.media_group_id for u in updates if u.message}
    assert len(groups) == 1 and None not in groups

    sent = await bot.send_media_group(
        CHAT,
        [
            InputMediaPhoto(media=BufferedInputFile(pages[0], "p1.jpg"), caption="Trang 1"),
            InputMediaDocument(media=BufferedInputFile(MINIMAL_PDF, "to-khai.pdf")),
        ],
    )
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id
    first, second = tg.sent_messages(CHAT)
    assert first["photo_bytes"] == pages[0] and first["caption"] == "Trang 1"
    assert second["document_bytes"] == MINIMAL_PDF
    assert second["document"]["file_name"] == "to-khai.pdf"
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(CHAT, second["document"]["file_id"])
