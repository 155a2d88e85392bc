"""The outer middleware every update goes through first."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update
from redis.exceptions import LockError

from bot.locks import ChatLocks
from bot.texts import busy
from kernel.i18n import normalize_language

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def chat_key(chat_id: int) -> str:
    return f"{CHANNEL}:{chat_id}"


class UpdateLog(Protocol):
    async def mark_update_processed(self, channel: str, update_id: int) -> bool: ...


class ChatTurnMiddleware(BaseMiddleware):
    """Takes the chat's lock before anything else awaits — updates are started in
    arrival order, so a chat's updates are handled in that order — then drops an
    update already processed (Telegram may deliver one twice)."""

    def __init__(self, locks: ChatLocks, updates: UpdateLog) -> None:
        self.locks = locks
        self.updates = updates

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            return await self._once(handler, event, data)
        data["chat_key"] = chat_key(chat.id)
        try:
            async with self.locks.hold(data["chat_key"]):
                return await self._once(handler, event, data)
        except LockError:
            # Another worker kept this chat too long: say so rather than stay silent.
            log.warning("chat %s stayed locked too long", data["chat_key"])
            user = data.get("event_from_user")
            lang = normalize_language(user.language_code if user else None)
            await data["bot"].send_message(chat.id, busy(lang).text)
            return None

    async def _once(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        if not await self.updates.mark_update_processed(CHANNEL, event.update_id):
            log.info("update %s already processed", event.update_id)
            return None
        return await handler(event, data)
