"""Every kind of bad input gets a kind reply with a way forward, and leaves the
conversation where it was."""

from __future__ import annotations

from typing import Any

from bot.store import Store
from tests.e2e.conftest import Citizen, Turns, texts, where
from tests.e2e.flows import birth_registration_until_papers
from tests.fakes.telegram_api import FakeTelegram
from tests.support.images import photo

HUMAN = "🙋"


def offers_a_person(message: dict[str, Any]) -> bool:
    return any(HUMAN in label for row in message["buttons"] for label in row)


async def to_child_dob(citizen: Citizen) -> None:
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    await citizen.says("khai sinh")
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Nguyễn Thị Minh An")
    asked = await citizen.says("Bé gái")
    assert "Bước 3/11" in asked[-1]["text"]


async def test_odd_messages_mid_form(
    citizen: Citizen, tg: FakeTelegram, bot_store: Store, turns: Turns
) -> None:
    await to_child_dob(citizen)
    chat = citizen.chat_id
    before = await where(bot_store, chat)
    assert before["field"] == "child_dob"

    sticker = await citizen.does(lambda: tg.user_sends_sticker(chat))
    assert "gõ chữ" in texts(sticker) or "bấm nút" in texts(sticker)
    voice = await citizen.does(lambda: tg.user_sends_voice(chat))
    assert "tin nhắn thoại" in texts(voice).lower() and offers_a_person(voice[0])
    location = await citizen.does(lambda: tg.user_sends_location(chat))
    assert "vị trí" in texts(location)
    typed = citizen.injected[-4]  # the message that answered the previous step
    edited = await citizen.does(
        lambda: tg.user_edits_message(chat, int(typed.message["message_id"]), "Bé trai")  # type: ignore[index]
    )
    assert "gửi lại" in texts(edited)
    for reply in (sticker, voice, location, edited):
        assert "Bước 3/11" in reply[-1]["text"]  # the same question again: the way forward
        assert reply[-1]["buttons"]
    assert await where(bot_store, chat) == before

    # A button from an old message (the consent question) does nothing but explain.
    consent = next(m for m in tg.sent_messages(chat) if "đồng ý" in str(m["buttons"]))
    stale = await citizen.does(
        lambda: tg.user_presses_button(
            chat, consent["message_id"], consent["callback_data"][0], strict=False
        )
    )
    assert "tin nhắn cũ" in texts(stale) and "Bước 3/11" in stale[-1]["text"]
    assert await where(bot_store, chat) == before

    # The same update delivered twice is handled once.
    handled = len(turns.events)
    first = citizen.injected[-1]
    tg.redeliver(first.update_id)
    await citizen.says("hôm qua hôm kia")  # not a date: asked again
    assert len(turns.events) == handled + 1
    assert turns.done[chat] == citizen.expected
    assert await where(bot_store, chat) == before

    # A flood of 30 messages: every one answered, in order, nothing lost or crashed.
    mark = tg.message_count(chat)
    flood = [f"không rõ {i}" for i in range(30)]
    for text in flood:
        tg.user_sends_text(chat, text)
    citizen.expected += len(flood)
    await turns.wait(chat, citizen.expected)
    assert [getattr(e, "text", None) for _, e in turns.events[-30:]] == flood
    replies = tg.sent_messages(chat)[mark:]
    asked_again = [m for m in replies if "Bước 3/11" in (m.get("text") or "")]
    assert len(asked_again) == len(flood)
    assert "trục trặc" not in texts(replies).lower()
    assert await where(bot_store, chat) == before

    # And the form goes on from there.
    nxt = await citizen.says("5/3/2026")
    assert "Bước 4/11" in nxt[-1]["text"]


async def test_bad_files_where_a_photo_is_expected(
    citizen: Citizen, tg: FakeTelegram, bot_store: Store
) -> None:
    await birth_registration_until_papers(citizen)
    chat = citizen.chat_id
    before = await where(bot_store, chat)
    assert before["flow"] == "documents" and before["doc"] == "birth_notice"

    text = await citizen.says("ảnh ở nhà")
    assert "gửi ảnh" in texts(text)
    huge = await citizen.does(
        lambda: tg.user_sends_document(
            chat, photo(), "giay-chung-sinh.jpg", "image/jpeg", file_size=25 * 1024 * 1024
        )
    )
    assert "lớn" in texts(huge)  # says it is too big, and what to do
    wrong = await citizen.does(
        lambda: tg.user_sends_document(chat, b"ghi chu\n", "ghi-chu.txt", "text/plain")
    )
    for reply in (text, huge, wrong):
        assert "Đã nhận" not in texts(reply)
        assert reply[-1]["buttons"]
        assert "Giấy chứng sinh" in texts(reply)
    assert await where(bot_store, chat) == before

    good = await citizen.sends_photo(photo())
    assert "Đã nhận 1 ảnh Giấy chứng sinh" in good[-1]["text"]
