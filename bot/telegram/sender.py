"""Engine replies → Telegram messages: keyboards, long texts, QR images, 429 and 403."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.render import MAX_CAPTION, safe_buttons, split_text
from bot.telegram.generics import SendPicture, SendText
from bot.telegram.photos import PhotoCache, digest
from dialogs import Btn, Reply

log = logging.getLogger(__name__)

T = TypeVar("T")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
FetchImage = Callable[[str, str], Awaitable[bytes]]  # (chat key, portal path) -> bytes

MAX_WAIT = 30.0  # never sit out a longer flood-control pause for one message
MARKUPS = 256  # keyboards kept built: a question's buttons recur for every citizen
_REMOVE = ReplyKeyboardRemove()  # one object: its JSON is kept (bot/telegram/generics.py)


class BlockedRecorder(Protocol):
    async def record_blocked(self, key: str) -> None: ...


class BlockedError(Exception):
    """The user blocked the bot: nothing more can be sent to them."""


class ReplySender:
    def __init__(
        self,
        bot: Bot,
        blocked: BlockedRecorder,
        *,
        fetch_image: FetchImage | None = None,
        attempts: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        photos: PhotoCache | None = None,
    ) -> None:
        self.bot = bot
        self.blocked = blocked
        self.fetch_image = fetch_image
        self.attempts = attempts
        self.sleep = sleep
        self.photos = photos or PhotoCache()
        # Built keyboards by (layout, buttons): aiogram's models are not rebuilt and
        # revalidated for every message that shows the same question.
        self._markups: dict[tuple[str, tuple[tuple[Btn, ...], ...]], Markup | None] = {}
        # Chats now showing a reply keyboard (removed when a later reply has none).
        self._keyboard_shown: set[int] = set()

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run one Bot API call, waiting out 429 ``retry_after`` a bounded number of times."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await make()
            except TelegramRetryAfter as exc:
                if attempt == self.attempts:
                    raise
                log.info("flood control: waiting %s s", exc.retry_after)
                await self.sleep(min(float(exc.retry_after), MAX_WAIT))
            except TelegramForbiddenError as exc:
                raise BlockedError(str(exc)) from exc
        raise AssertionError("unreachable")

    async def typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except Exception as exc:  # a missing "typing..." must never stop a reply
            log.debug("chat action failed: %s", exc)

    async def send(self, chat_id: int, key: str, replies: list[Reply]) -> bool:
        """Send every reply in order; False (and recorded) when the user blocked us.
        The pictures of the later replies are fetched meanwhile (a submission's receipt
        and payment card are drawn by the portal while the first goes out)."""
        images: list[Awaitable[bytes | None] | None] = [
            asyncio.ensure_future(self._image(key, r)) if index and r.media else None
            for index, r in enumerate(replies)
        ]
        try:
            for reply, image in zip(replies, images, strict=True):
                try:
                    await self._send_one(chat_id, key, reply, image)
                except TelegramBadRequest as exc:
                    # One malformed message must not swallow the ones after it.
                    log.error("Telegram refused a reply to %s: %s", key, exc)
        except BlockedError:
            log.info("chat %s blocked the bot", key)
            self._keyboard_shown.discard(chat_id)
            await self.blocked.record_blocked(key)
            return False
        finally:
            for pending in images:
                if not isinstance(pending, asyncio.Future):
                    continue
                if not pending.done():
                    pending.cancel()  # not to be sent any more (blocked, failed)
                elif not pending.cancelled():
                    pending.exception()  # retrieved: no "never retrieved" warning
        return True

    def markup(self, chat_id: int, reply: Reply) -> Markup | None:
        if reply.buttons:
            key = (reply.layout, reply.buttons)
            built = self._markups.get(key)
            if built is None and key not in self._markups:
                built = self._markups[key] = _build_markup(reply)
                if len(self._markups) > MARKUPS:
                    del self._markups[next(iter(self._markups))]  # the oldest
            if built is not None:
                return built
        # The engine knows from its state when a keyboard is up (this set is lost when
        # the bot restarts): it marks the reply that must take it away.
        if chat_id in self._keyboard_shown or reply.extra.get("keyboard") == "remove":
            return _REMOVE
        return None

    def _shown(self, chat_id: int, markup: Markup | None) -> None:
        if isinstance(markup, ReplyKeyboardMarkup):
            self._keyboard_shown.add(chat_id)
        elif isinstance(markup, ReplyKeyboardRemove):
            self._keyboard_shown.discard(chat_id)

    async def _send_one(
        self,
        chat_id: int,
        key: str,
        reply: Reply,
        fetching: Awaitable[bytes | None] | None = None,
    ) -> None:
        markup = self.markup(chat_id, reply)
        image = await (fetching if fetching is not None else self._image(key, reply))
        chunks = split_text(reply.text) if reply.text else []
        if image is not None:
            caption_fits = len(reply.text) <= MAX_CAPTION
            await self._send_photo(
                chat_id,
                image,
                reply.media.filename if reply.media else "",
                caption=reply.text if caption_fits and reply.text else None,
                markup=markup if caption_fits else None,
            )
            if caption_fits:
                self._shown(chat_id, markup)
                return
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await self.call(
                lambda chunk=chunk, last=last: self.bot(  # type: ignore[misc]
                    SendText(chat_id=chat_id, text=chunk, reply_markup=markup if last else None)
                )
            )
        self._shown(chat_id, markup)

    async def _send_photo(
        self,
        chat_id: int,
        image: bytes,
        filename: str,
        *,
        caption: str | None,
        markup: Markup | None,
    ) -> None:
        """By the file id of an earlier upload of the same picture, else uploaded (and
        its file id remembered)."""
        content = digest(image)
        known = self.photos.file_id(content)
        if known is not None:
            try:
                await self.call(
                    lambda: self.bot(
                        SendPicture(
                            chat_id=chat_id, photo=known, caption=caption, reply_markup=markup
                        )
                    )
                )
                return
            except TelegramBadRequest as exc:
                if "file" not in str(exc).lower():
                    raise  # the caption or the buttons: uploading would not help
                log.info("Telegram refused a photo's file id (%s): uploading it again", exc)
                self.photos.forget(content)
        upload = BufferedInputFile(image, filename=filename)
        sent = await self.call(
            lambda: self.bot(
                SendPicture(chat_id=chat_id, photo=upload, caption=caption, reply_markup=markup)
            )
        )
        if sent.photo:
            self.photos.remember(content, sent.photo[-1].file_id)  # the largest size

    async def _image(self, key: str, reply: Reply) -> bytes | None:
        media = reply.media
        if media is None:
            return None
        if media.kind == "qr":
            cached = self.photos.cached_qr(media.data)
            if cached is not None:
                return cached
            return await asyncio.to_thread(self.photos.qr, media.data)
        if self.fetch_image is None:
            log.error("no way to fetch portal image %s", media.data)
            return None
        try:
            return await self.fetch_image(key, media.data)
        except Exception as exc:  # the text still goes out without the picture
            log.warning("portal image %s not fetched: %s", media.data, exc)
            return None


def _build_markup(reply: Reply) -> Markup | None:
    rows = safe_buttons(reply.buttons)
    if rows and reply.layout == "keyboard":
        # One big button per row: easy to read and to press.
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=b.label)] for row in rows for b in row],
            resize_keyboard=True,
            is_persistent=True,
        )
    if rows:
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row]
                for row in rows
            ]
        )
    return None
