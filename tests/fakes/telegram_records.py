"""What the fake Bot API keeps: calls, files, messages, topics, injected updates."""

from __future__ import annotations

import asyncio
import io
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from .telegram_params import Upload

# Telegram keeps a few downscaled copies of every photo; the original is the last.
PHOTO_SIDES = (90, 320, 800, 1280)
_FILE_ID_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "sticker": "CAAC"}


@dataclass
class Call:
    """One Bot API call the bot made; `time` is time.monotonic() on arrival."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    time: float
    ok: bool | None = None
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    via_webhook_reply: bool = False


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None  # None for a file given by URL
    file_size: int
    kind: str
    mime_type: str | None = None
    file_name: str | None = None
    url: str | None = None
    width: int = 0
    height: int = 0

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    chat_id: int | str
    message: dict[str, Any]  # the Bot API Message, kept current through edits
    sender: str  # "bot" or "user"
    time: float
    method: str | None = None
    reply_markup: dict[str, Any] | None = None  # as sent, reply keyboards included
    raw_text: str | None = None
    parse_mode: str | None = None
    file: StoredFile | None = None
    deleted: bool = False
    edits: int = 0


@dataclass
class Topic:
    chat_id: int | str
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def as_forum_topic(self) -> dict[str, Any]:
        topic: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class InjectedUpdate:
    """An update the test "user" caused; `time` is time.monotonic() at injection."""

    update: dict[str, Any]
    time: float

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def message(self) -> dict[str, Any] | None:
        return self.update.get("message") or self.update.get("edited_message")

    @property
    def callback_query(self) -> dict[str, Any] | None:
        return self.update.get("callback_query")


@dataclass
class QueuedUpdate:
    update: dict[str, Any]
    delivered: bool = False
    redelivery: bool = False

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class WebhookDelivery:
    update_id: int
    status: int | None
    body: str
    error: str | None
    time: float


@dataclass
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)  # by error_code
    too_many_requests: int = 0  # every 429 returned, injected or enforced
    rate_limited: int = 0  # 429s from enforce_limits only
    injected_failures: int = 0
    messages_sent: int = 0


class Signal:
    """Wakes every coroutine waiting for "something changed"; loop-bound lazily."""

    def __init__(self) -> None:
        self._waiter: asyncio.Future[None] | None = None

    def notify(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        self._waiter = None

    async def wait(self, timeout: float) -> None:
        """Until the next notify() or `timeout` seconds. One future and one timer per
        wait (wait_for over shield made four objects and a task hop: the webhook pusher
        waits once per update)."""
        loop = asyncio.get_running_loop()
        if self._waiter is None:
            self._waiter = loop.create_future()
        shared, mine = self._waiter, loop.create_future()

        def wake(_: object = None) -> None:
            if not mine.done():
                mine.set_result(None)

        shared.add_done_callback(wake)
        timer = loop.call_later(max(timeout, 0.0), wake)
        try:
            await mine
        finally:
            timer.cancel()
            shared.remove_done_callback(wake)


class FileStore:
    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._count = 0

    def add(
        self,
        kind: str,
        data: bytes | None,
        *,
        extension: str,
        mime_type: str | None = None,
        file_name: str | None = None,
        file_size: int | None = None,
        url: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        self._count += 1
        folder = {"photo": "photos", "voice": "voice", "sticker": "stickers"}.get(kind, "documents")
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX.get(kind, "BQAC") + secrets.token_urlsafe(24),
            file_unique_id="AQAD" + secrets.token_urlsafe(8),
            file_path=f"{folder}/file_{self._count}.{extension}",
            data=data,
            file_size=file_size if file_size is not None else len(data or b""),
            kind=kind,
            mime_type=mime_type,
            file_name=file_name,
            url=url,
            width=width,
            height=height,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def photo(self, data: bytes) -> tuple[StoredFile, list[dict[str, Any]]]:
        """Keep a photo with its downscaled copies; the largest size is the bytes as sent.

        Raises ValueError when the bytes are not an image Pillow can open.
        """
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                width, height = image.size
                rgb = image.convert("RGB")
        except (UnidentifiedImageError, OSError) as exc:
            raise ValueError("not an image") from exc
        sizes: list[dict[str, Any]] = []
        for side in PHOTO_SIDES:
            if max(width, height) <= side:
                break
            thumb = rgb.copy()
            thumb.thumbnail((side, side))
            buffer = io.BytesIO()
            thumb.save(buffer, format="JPEG", quality=80)
            small = self.add(
                "photo", buffer.getvalue(), extension="jpg", width=thumb.width, height=thumb.height
            )
            sizes.append(self.photo_size(small))
        original = self.add("photo", data, extension="jpg", width=width, height=height)
        sizes.append(self.photo_size(original))
        return original, sizes

    @staticmethod
    def photo_size(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "width": stored.width,
            "height": stored.height,
        }
