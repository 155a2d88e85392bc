"""Zalo updates → engine events. Pure: no I/O.

An update is ``{"event_name": "message.text.received", "message": {...}}``; the message
has ``message_id`` (a string), ``date`` (ms), ``chat.id``, ``from.id`` and ``text``, or
``photo`` (a URL) with an optional ``caption``, or ``sticker``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from dialogs import Command, Event, FileRef, Text, Unsupported, Upload

CHANNEL = "zalo"


def chat_key(chat_id: str) -> str:
    """One citizen per channel identity: nothing links a Zalo chat to a Telegram one."""
    return f"{CHANNEL}:{chat_id}"


def chat_id_of(key: str) -> str:
    return key.split(":", 1)[1]


def update_number(message_id: str) -> int:
    """The processed-updates table keys updates by a number; Zalo's message ids are
    opaque strings, so they are hashed to 63 bits (a collision among the ids a store
    keeps is out of reach: ~1e-7 after 1e6 messages)."""
    digest = hashlib.blake2b(message_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True)
class Incoming:
    chat_id: str
    message_id: str
    date: int  # milliseconds
    event: Event
    user_id: str | None = None
    name: str | None = None
    lang: str | None = None


def command_of(text: str) -> Command | None:
    """``/start trk_ABC`` → Command("start", "trk_ABC")."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.lower()
    if not name.isascii() or not name.isalpha():
        return None
    return Command(name, args.strip())


def _event(name: str, message: dict[str, Any]) -> Event | None:
    text = message.get("text")
    photo = message.get("photo")
    if isinstance(photo, str) and photo:
        caption = message.get("caption")
        return Upload(
            (FileRef(ref=photo, kind="photo", mime="image/jpeg"),),
            caption=caption if isinstance(caption, str) else "",
        )
    if isinstance(text, str) and text.strip() and name in ("", "message.text.received"):
        return command_of(text.strip()) or Text(text)
    if message.get("sticker") or name == "message.sticker.received":
        return Unsupported("sticker")
    if name.startswith("message."):
        return Unsupported("unsupported")  # voice, files, locations...
    return None


def incoming(update: dict[str, Any]) -> Incoming | None:
    """None for anything that is not a private message we can answer."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    message_id = message.get("message_id")
    if not chat_id or message_id is None:
        return None
    if isinstance(chat, dict) and str(chat.get("chat_type") or "PRIVATE").upper() != "PRIVATE":
        return None  # the assistant talks to one person at a time
    event = _event(str(update.get("event_name") or ""), message)
    if event is None:
        return None
    name = None
    if isinstance(sender, dict):
        name = sender.get("display_name") or sender.get("first_name")
    try:
        date = int(message.get("date") or 0)
    except (TypeError, ValueError):
        date = 0
    return Incoming(
        chat_id=str(chat_id),
        message_id=str(message_id),
        date=date,
        event=event,
        user_id=str(sender.get("id")) if isinstance(sender, dict) and sender.get("id") else None,
        name=str(name) if name else None,
        lang=None,  # Zalo does not say the app's language: Vietnamese until chosen
    )
