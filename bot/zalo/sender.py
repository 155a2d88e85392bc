"""Engine replies → Zalo messages, in order, within the limits: numbered choices, texts
of at most 2000 characters, pictures by signed URL. Errors as the Telegram sender
treats them: "slow down" and server errors are retried with backoff a bounded number of
times; a user who blocked the bot is recorded and nothing more is sent to them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.zalo.api import ZaloApi, ZaloApiError, ZaloNetworkError
from bot.zalo.convert import chat_id_of
from bot.zalo.limits import SendLimits
from bot.zalo.links import MediaLinks
from bot.zalo.render import Menu, Outgoing, render
from dialogs import Btn, Reply

log = logging.getLogger(__name__)

MAX_WAIT = 30.0


class BlockedRecorder(Protocol):
    async def record_blocked(self, key: str) -> None: ...


class BlockedError(Exception):
    """The user blocked the bot."""


class ZaloSender:
    def __init__(
        self,
        api: ZaloApi,
        blocked: BlockedRecorder,
        links: MediaLinks,
        limits: SendLimits,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.api = api
        self.blocked = blocked
        self.links = links
        self.limits = limits
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        # The choices each chat was last shown: a typed number picks one. Kept in memory:
        # after a restart a typed number goes to the engine, which reads it as the Nth
        # choice of its current question (the same order).
        self.menus: dict[str, Menu] = {}

    async def call(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """One API call within the limits, retried on 429/5xx/network with backoff."""
        for attempt in range(1, self.attempts + 1):
            await self.limits.acquire(key)
            try:
                return await make()
            except ZaloApiError as exc:
                if exc.blocked:
                    raise BlockedError(str(exc)) from exc
                if not exc.retryable or attempt == self.attempts:
                    raise
                wait = min(self.backoff * 2 ** (attempt - 1), MAX_WAIT)
                if exc.code == 429:
                    self.limits.pause(wait)  # everybody slows down, not only this chat
                log.info("Zalo %s; again in %.1f s", exc, wait)
                await self.sleep(wait)
            except ZaloNetworkError as exc:
                if attempt == self.attempts:
                    raise
                log.info("Zalo unreachable (%s); again", exc)
                await self.sleep(min(self.backoff * 2 ** (attempt - 1), MAX_WAIT))
        raise AssertionError("unreachable")

    async def typing(self, key: str) -> None:
        try:
            await self.api.send_chat_action(chat_id_of(key))
        except Exception as exc:  # a missing "typing..." must never stop a reply
            log.debug("chat action failed: %s", exc)

    async def send(self, key: str, replies: list[Reply], lang: str = "vi") -> bool:
        """Send a turn's replies in order; False (and recorded) when the user blocked us."""
        rendered = render(replies, lang)
        if rendered.menu is not None:
            self.menus[key] = rendered.menu
        elif any(r.kind == "ask" for r in replies):
            self.menus.pop(key, None)  # a new question without choices: numbers are values
        return await self.send_messages(key, rendered.messages)

    async def send_messages(self, key: str, messages: list[Outgoing]) -> bool:
        try:
            for message in messages:
                try:
                    await self._send_one(key, message)
                except (ZaloApiError, ZaloNetworkError) as exc:
                    # One refused message must not swallow the ones after it.
                    log.error("Zalo refused a reply to %s: %s", key, exc)
        except BlockedError:
            log.info("chat %s blocked the bot", key)
            self.menus.pop(key, None)
            await self.blocked.record_blocked(key)
            return False
        return True

    async def _send_one(self, key: str, message: Outgoing) -> None:
        chat_id = chat_id_of(key)
        if message.media is not None:
            url = self.links.url(key, message.media)
            await self.call(key, lambda: self.api.send_photo(chat_id, url, message.text or None))
            return
        await self.call(key, lambda: self.api.send_message(chat_id, message.text))

    async def deliver(self, key: str, text: str, buttons: list[list[dict[str, str]]]) -> bool:
        """The notifier's sink for Zalo chats: a news message, its buttons numbered after
        the choices the chat is shown now (which stay valid). Raises on a failure worth
        retrying; False when the chat blocked the bot."""
        extra = [Btn(b["text"], b["data"]) for row in buttons for b in row]
        lines = [text]
        if extra:
            menu = self.menus.get(key)
            if menu is None or not menu.numbered or menu.paged:
                menu = self.menus[key] = Menu([])
            menu.pageable = False
            start = len(menu.buttons)
            menu.buttons.extend(extra)
            lines.append("\n".join(f"{start + i}. {b.label}" for i, b in enumerate(extra, 1)))
        chunks = render([Reply("\n\n".join(lines))], "vi").messages
        chat_id = chat_id_of(key)
        try:
            for chunk in chunks:
                await self.call(key, lambda c=chunk: self.api.send_message(chat_id, c.text))  # type: ignore[misc]
        except BlockedError:
            await self.blocked.record_blocked(key)
            return False
        return True
