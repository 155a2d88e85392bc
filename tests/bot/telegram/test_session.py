"""The bot's aiogram session sends a method without files as a JSON body carrying
what aiogram's multipart form would carry; a method with a file stays a form."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, SendMessage, SendPhoto
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.telegram.app import create_bot
from bot.telegram.generics import AnswerPress, PinnedAiohttpSession, SendPicture, SendText, Sent
from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST"


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=PinnedAiohttpSession())
    yield bot
    await bot.session.close()


def _form_params(session: PinnedAiohttpSession, bot: Bot, method: Any) -> dict[str, Any]:
    def value(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            return text

    form = session.build_form_data(bot, method)
    return {options["name"]: value(text) for options, _headers, text in form._fields}


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(
            chat_id=42,
            text="Chọn",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="s1:ans:yes")]]
            ),
        ),
        SendMessage(chat_id=42, text="Xong", reply_markup=ReplyKeyboardRemove()),
        SendPhoto(chat_id=42, photo="AgACAgIAAx0", caption="Thẻ", show_caption_above_media=False),
        AnswerCallbackQuery(callback_query_id="q-77"),
    ],
)
async def test_the_json_body_carries_the_form_parameters(bot: Bot, method: Any) -> None:
    session = bot.session
    assert isinstance(session, PinnedAiohttpSession)
    body = session.json_body(bot, method)
    assert body is not None
    assert json.loads(body) == _form_params(session, bot, method)


_CHOOSE = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="s1:ans:yes")]]
)


@pytest.mark.parametrize(
    ("lean", "full"),
    [
        (
            SendText(chat_id=42, text="Chọn", reply_markup=_CHOOSE),
            SendMessage(chat_id=42, text="Chọn", reply_markup=_CHOOSE),
        ),
        (
            SendText(chat_id=42, text="Xong", reply_markup=ReplyKeyboardRemove()),
            SendMessage(chat_id=42, text="Xong", reply_markup=ReplyKeyboardRemove()),
        ),
        (SendText(chat_id=42, text="Chào"), SendMessage(chat_id=42, text="Chào")),
        (
            SendPicture(chat_id=42, photo="AgACAgIAAx0", caption="Thẻ", reply_markup=_CHOOSE),
            SendPhoto(chat_id=42, photo="AgACAgIAAx0", caption="Thẻ", reply_markup=_CHOOSE),
        ),
        (SendPicture(chat_id=42, photo="AgACAgIAAx0"), SendPhoto(chat_id=42, photo="AgACAgIAAx0")),
        (AnswerPress(callback_query_id="q-77"), AnswerCallbackQuery(callback_query_id="q-77")),
    ],
)
async def test_the_senders_methods_carry_what_aiogram_s_would(
    bot: Bot, lean: Any, full: Any
) -> None:
    session = bot.session
    assert isinstance(session, PinnedAiohttpSession)
    assert lean.__api_method__ == full.__api_method__
    for _ in range(2):  # the keyboard's JSON is kept after the first time
        body = session.json_body(bot, lean)
        assert body is not None
        assert json.loads(body) == _form_params(session, bot, full)


async def test_an_upload_is_no_json_body(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, PinnedAiohttpSession)
    upload = SendPhoto(chat_id=42, photo=BufferedInputFile(b"png", filename="a.png"))
    assert session.json_body(bot, upload) is None
    picture = SendPicture(chat_id=42, photo=BufferedInputFile(b"png", filename="a.png"))
    assert session.json_body(bot, picture) is None


async def test_the_senders_methods_read_the_answer_and_its_errors() -> None:
    async with FakeTelegram() as tg:
        tg.user_sends_text(42, "chào")
        bot = create_bot(TOKEN, tg.api_base)
        try:
            sent = await bot(SendText(chat_id=42, text="Chào bạn"))
            assert isinstance(sent, Sent) and sent.message_id > 0 and sent.photo is None
            upload = BufferedInputFile(_png(), filename="the.png")
            photo = await bot(SendPicture(chat_id=42, photo=upload, caption="Thẻ"))
            assert photo.photo and photo.photo[-1].file_id
            again = await bot(SendPicture(chat_id=42, photo=photo.photo[-1].file_id))
            assert again.message_id > photo.message_id
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot(SendText(chat_id=-5, text="Không ai"))
            tg.block_user(42)
            with pytest.raises(TelegramForbiddenError, match="blocked"):
                await bot(SendText(chat_id=42, text="Còn đó không?"))
        finally:
            await bot.session.close()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


async def test_messages_and_errors_over_json() -> None:
    async with FakeTelegram() as tg:
        tg.user_sends_text(42, "chào")
        bot = create_bot(TOKEN, tg.api_base)
        try:
            sent = await bot.send_message(42, "Chào bạn")
            assert sent.text == "Chào bạn" and sent.chat.id == 42
            [call] = tg.calls_of("sendMessage")
            assert call.params == {"chat_id": 42, "text": "Chào bạn"}
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot.send_message(-5, "Không ai")
            tg.block_user(42)
            with pytest.raises(TelegramForbiddenError, match="blocked"):
                await bot.send_message(42, "Còn đó không?")
        finally:
            await bot.session.close()


async def test_a_keyboard_sent_again_goes_out_the_same(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, PinnedAiohttpSession)

    def keyboard(label: str) -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(text=label, callback_data=f"s1:{label}")
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    shown = keyboard("Có")
    first = SendMessage(chat_id=1, text="Một", reply_markup=shown)
    again = SendMessage(chat_id=2, text="Hai", reply_markup=shown)
    other = SendMessage(chat_id=2, text="Hai", reply_markup=keyboard("Không"))
    for method in (first, again, other, again):
        body = session.json_body(bot, method)
        assert body is not None
        assert json.loads(body) == _form_params(session, bot, method)
