"""Language: switched mid-form without losing answers; an English app gets English."""

from __future__ import annotations

from bot.store import Store
from tests.e2e.conftest import Citizen, Turns, texts, where
from tests.fakes.telegram_api import FakeTelegram


async def test_switch_to_english_mid_form_keeps_the_answers(
    citizen: Citizen, bot_store: Store
) -> None:
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    await citizen.says("khai sinh")
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Nguyễn Thị Minh An")
    asked = await citizen.says("Bé gái")
    assert "Bước 3/11\nBé sinh ngày nào?" in asked[-1]["text"]
    before = await where(bot_store, citizen.chat_id)

    switched = await citizen.says("English")  # typed: English at once, same question
    after = await where(bot_store, citizen.chat_id)
    assert after["lang"] == "en"
    assert after["answers"] == before["answers"]
    # The form resumes at the same question, now in English (before 7e19242 the
    # language question replaced the form's flow and the main menu came back).
    assert "Step 3/11\nWhat is the child's date of birth?" in switched[-1]["text"]
    assert {**after, "lang": "vi"} == before

    nxt = await citizen.says("5/3/2026")
    assert "Step 4/11" in nxt[-1]["text"]
    state = await where(bot_store, citizen.chat_id)
    assert state["answers"]["child_name"] == "Nguyễn Thị Minh An"

    back = await citizen.presses("Ngôn ngữ")  # the menu way, back to Vietnamese
    assert "Tiếng Việt" in str(back[-1]["buttons"])
    again = await citizen.presses("Tiếng Việt")
    assert "Bước 4/11" in again[-1]["text"]


async def test_an_english_app_gets_english_throughout(
    tg: FakeTelegram, turns: Turns, citizen: Citizen
) -> None:
    english = Citizen(tg, turns, 7002, language_code="en")
    greeting = await english.start()
    assert "automated assistant" in greeting[0]["text"]
    await english.presses("English")
    checklist = await english.says("I need a birth certificate for my grandchild")
    assert "Birth registration" in checklist[-1]["text"]
    consent = await english.presses("Start")
    assert "agree" in texts(consent).lower()
    asked = await english.presses("I agree")
    assert "Step 1/11\nWhat is the child's full name?" in asked[-1]["text"]
    named = await english.says("Nguyen Thi An")
    assert "Step 2/11\nIs the child a boy or a girl?" in named[-1]["text"]
    assert english.keyboard()[:2] == ["Boy", "Girl"]
    unclear = await english.says("sometime last week")
    assert "Step 2/11" in unclear[-1]["text"]
    dob = await english.says("Girl")
    assert "Step 3/11" in dob[-1]["text"]
    every = texts(tg.sent_messages(english.chat_id))
    # Nothing Vietnamese slipped through (the answers typed were ASCII).
    assert not any(word in every for word in ("Bác", "Bước", "Giấy", "đồng ý"))
