"""Zalo updates → engine events."""

from __future__ import annotations

from bot.zalo.convert import chat_key, incoming, update_number
from dialogs import Command, Text, Unsupported, Upload


def update(event: str, **content: object) -> dict[str, object]:
    return {
        "event_name": event,
        "message": {
            "message_id": "abc",
            "date": 1700000000000,
            "chat": {"id": "u9", "chat_type": "PRIVATE"},
            "from": {"id": "u9", "display_name": "Bà Hoa"},
            **content,
        },
    }


def test_texts_commands_photos_and_the_rest() -> None:
    got = incoming(update("message.text.received", text="xin chào"))
    assert got is not None and got.event == Text("xin chào") and got.name == "Bà Hoa"
    assert chat_key(got.chat_id) == "zalo:u9"
    start = incoming(update("message.text.received", text="/start trk_PX-2026-ABC123"))
    assert start is not None and start.event == Command("start", "trk_PX-2026-ABC123")
    photo = incoming(update("message.image.received", photo="https://f/p.jpg", caption="mặt trước"))
    assert photo is not None and isinstance(photo.event, Upload)
    assert photo.event.files[0].ref == "https://f/p.jpg" and photo.event.caption == "mặt trước"
    sticker = incoming(update("message.sticker.received", sticker="s1"))
    assert sticker is not None and sticker.event == Unsupported("sticker")
    voice = incoming(update("message.unsupported.received"))
    assert voice is not None and isinstance(voice.event, Unsupported)


def test_groups_and_malformed_updates_are_ignored() -> None:
    group = update("message.text.received", text="hi")
    group["message"]["chat"]["chat_type"] = "GROUP"  # type: ignore[index]
    assert incoming(group) is None
    assert incoming({"event_name": "message.text.received"}) is None
    assert incoming({"message": "x"}) is None


def test_message_ids_hash_to_stable_positive_numbers() -> None:
    assert update_number("abc") == update_number("abc") != update_number("abd")
    assert 0 <= update_number("x" * 500) < 2**63
