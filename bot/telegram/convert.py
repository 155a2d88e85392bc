"""Telegram updates → engine events. Pure: no I/O, easy to test with aiogram types."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from dialogs import Button, Command, Contact, Event, FileRef, Text, Unsupported, Upload

# Message kinds the engine answers kindly without acting on them, checked in this order
# (an animation also carries a ``document``, so it must come first).
UNSUPPORTED = (
    "sticker",
    "voice",
    "audio",
    "video_note",
    "animation",
    "video",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
)


def command_of(text: str) -> Command | None:
    """``/start trk_ABC`` → Command("start", "trk_ABC"); ``/help@MotCuaBot`` → "help"."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name:
        return None
    return Command(name, args.strip())


def file_refs(message: Message) -> tuple[FileRef, ...]:
    if message.photo:
        # Sizes come smallest first; the largest is what a clerk needs to read.
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return (FileRef(ref=best.file_id, kind="photo", mime="image/jpeg", size=best.file_size),)
    if message.document:
        doc = message.document
        return (
            FileRef(
                ref=doc.file_id,
                kind="document",
                mime=doc.mime_type,
                name=doc.file_name,
                size=doc.file_size,
            ),
        )
    return ()


def message_to_event(message: Message) -> Event | None:
    """None for what needs no answer (service messages: a member joined, a pin...)."""
    for kind in UNSUPPORTED:
        if getattr(message, kind, None):
            return Unsupported(kind)
    if message.text is not None:
        return command_of(message.text) or Text(message.text)
    files = file_refs(message)
    if files:
        return Upload(files, caption=message.caption or "")
    if message.contact:
        user_id = message.contact.user_id
        return Contact(
            phone=message.contact.phone_number,
            user_id=str(user_id) if user_id is not None else None,
        )
    return None


def album_to_event(messages: list[Message]) -> Upload:
    """Several photos sent together (one media_group_id) are one upload, in order."""
    ordered = sorted(messages, key=lambda m: m.message_id)
    files = tuple(ref for m in ordered for ref in file_refs(m))
    caption = next((m.caption for m in ordered if m.caption), "")
    return Upload(files, caption=caption)


def callback_to_event(query: CallbackQuery) -> Button | None:
    return Button(query.data) if query.data else None
