"""A reply-keyboard button pressed after its question has passed: the keyboard is gone
from the next question, and its label sent late is refused kindly, never stored."""

from __future__ import annotations

from bot.store import Store
from tests.e2e.conftest import Citizen, texts, where
from tests.e2e.flows import choose


async def test_an_old_keyboard_pressed_is_refused_and_not_stored(
    citizen: Citizen, bot_store: Store
) -> None:
    await citizen.start()
    await citizen.says("khai sinh")
    await citizen.says("bắt đầu")
    await citizen.says("đồng ý")
    await citizen.says("Nguyễn Thị Minh An")
    assert "Bé gái" in citizen.keyboard()
    await choose(citizen, "Bé gái")
    await citizen.says("5/3/2026")
    assert citizen.keyboard() == []  # the question about the place removed it
    before = await where(bot_store, citizen.chat_id)
    assert before["field"] == "birth_place"
    late = await citizen.says("Bé gái")  # what a phone sends for the old button
    assert "tin nhắn cũ" in texts(late) and "Bé sinh ở đâu" in texts(late)
    after = await where(bot_store, citizen.chat_id)
    assert after == before and "birth_place" not in after["answers"]
