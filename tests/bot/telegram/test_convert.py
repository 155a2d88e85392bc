"""Telegram messages (aiogram types built directly) → engine events."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import CallbackQuery, Message

from bot.telegram.convert import album_to_event, callback_to_event, command_of, message_to_event
from dialogs import Button, Command, Contact, FileRef, Text, Unsupported, Upload

USER = {"id": 42, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
CHAT = {"id": 42, "type": "private", "first_name": "Lan"}


def message(message_id: int = 1, **content: Any) -> Message:
    return Message.model_validate(
        {"message_id": message_id, "date": 1767225600, "chat": CHAT, "from": USER, **content}
    )


def sizes(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "file_id": f"{prefix}-s",
            "file_unique_id": "a",
            "width": 90,
            "height": 67,
            "file_size": 900,
        },
        {
            "file_id": f"{prefix}-l",
            "file_unique_id": "c",
            "width": 1280,
            "height": 960,
            "file_size": 90_000,
        },
        {
            "file_id": f"{prefix}-m",
            "file_unique_id": "b",
            "width": 320,
            "height": 240,
            "file_size": 9_000,
        },
    ]


def test_text_and_commands() -> None:
    assert message_to_event(message(text="khai sinh")) == Text("khai sinh")
    assert message_to_event(message(text="/start")) == Command("start", "")
    assert message_to_event(message(text="/start trk_HT260300012")) == Command(
        "start", "trk_HT260300012"
    )
    assert message_to_event(message(text="/Help@MotCuaBot")) == Command("help", "")
    assert command_of("/") is None and command_of("hello") is None


def test_photo_takes_the_largest_size() -> None:
    event = message_to_event(message(photo=sizes("p"), caption="giấy chứng sinh"))
    assert event == Upload(
        (FileRef(ref="p-l", kind="photo", mime="image/jpeg", size=90_000),),
        caption="giấy chứng sinh",
    )


def test_document_keeps_mime_name_and_size() -> None:
    doc = {
        "file_id": "d1",
        "file_unique_id": "u",
        "file_name": "cccd.pdf",
        "mime_type": "application/pdf",
        "file_size": 12345,
    }
    assert message_to_event(message(document=doc)) == Upload(
        (FileRef(ref="d1", kind="document", mime="application/pdf", name="cccd.pdf", size=12345),)
    )


def test_contact() -> None:
    contact = {"phone_number": "+84905123456", "first_name": "Lan", "user_id": 42}
    assert message_to_event(message(contact=contact)) == Contact("+84905123456", "42")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "sticker",
        ),
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, "voice"),
        ({"location": {"latitude": 16.46, "longitude": 107.59}}, "location"),
        (
            {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 1}},
            "video_note",
        ),
        (
            {
                "animation": {
                    "file_id": "g",
                    "file_unique_id": "g",
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                },
                "document": {"file_id": "g", "file_unique_id": "g"},
            },
            "animation",
        ),
        (
            {
                "video": {
                    "file_id": "x",
                    "file_unique_id": "x",
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                }
            },
            "video",
        ),
    ],
)
def test_unsupported_kinds(content: dict[str, Any], kind: str) -> None:
    assert message_to_event(message(**content)) == Unsupported(kind)


def test_service_messages_need_no_answer() -> None:
    assert message_to_event(message(new_chat_title="Tổ công nghệ số")) is None


def test_album_is_one_upload_in_order() -> None:
    parts = [
        message(3, photo=sizes("c"), media_group_id="g"),
        message(1, photo=sizes("a"), media_group_id="g", caption="hai mặt"),
        message(2, photo=sizes("b"), media_group_id="g"),
    ]
    event = album_to_event(parts)
    assert [f.ref for f in event.files] == ["a-l", "b-l", "c-l"]
    assert event.caption == "hai mặt"


def test_callback() -> None:
    query = CallbackQuery.model_validate(
        {"id": "1", "from": USER, "chat_instance": "x", "data": "s3:ans:yes"}
    )
    assert callback_to_event(query) == Button("s3:ans:yes")
    empty = CallbackQuery.model_validate({"id": "2", "from": USER, "chat_instance": "x"})
    assert callback_to_event(empty) is None
