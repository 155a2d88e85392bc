"""The outer middleware every update goes through first."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update
from redis.exceptions import LockError

from bot.locks import ChatLocks
from bot.store import LoadedTurn
from bot.texts import busy
from kernel.i18n import normalize_language

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def chat_key(chat_id: int) -> str:
    return f"{CHANNEL}:{chat_id}"


class UpdateLog(Protocol):
    async def mark_update_processed(self, channel: str, update_id: int) -> bool: ...


class TurnLoader(Protocol):
    async def load(self, key: str, update: tuple[str, int] | None) -> LoadedTurn: ...


@dataclass
class TurnTicket:
    """Handed to the handlers (aiogram's ``turn`` argument): the update to mark in the
    turn's commit and the chat's state already read. A handler that runs a turn sets
    ``taken``; otherwise the middleware marks the update once the handler is done."""

    update: tuple[str, int]
    loaded: LoadedTurn
    taken: bool = False


class ChatTurnMiddleware(BaseMiddleware):
    """Takes the chat's lock before anything else awaits — updates are started in
    arrival order, so a chat's updates are handled in that order — then reads the chat
    (one statement: its state, and whether this update was already processed, which
    drops a repeat: Telegram may deliver one twice). The update is marked processed
    only when it has been handled: by the turn's own commit (bot.runtime), or here
    after a handler that ran no turn. A worker killed before that leaves it unmarked,
    so the delivery that follows runs it."""

    def __init__(self, locks: ChatLocks, updates: UpdateLog, turns: TurnLoader) -> None:
        self.locks = locks
        self.updates = updates
        self.turns = turns

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            if not await self.updates.mark_update_processed(CHANNEL, event.update_id):
                log.info("update %s already processed", event.update_id)
                return None
            return await handler(event, data)
        data["chat_key"] = chat_key(chat.id)
        try:
            async with self.locks.hold(data["chat_key"]):
                return await self._once(handler, event, data)
        except LockError:
            # Another worker kept this chat too long: say so rather than stay silent,
            # and leave the update unanswered so that a webhook delivers it again.
            log.warning("chat %s stayed locked too long", data["chat_key"])
            user = data.get("event_from_user")
            lang = normalize_language(user.language_code if user else None)
            await data["bot"].send_message(chat.id, busy(lang).text)
            raise

    async def _once(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        update = (CHANNEL, event.update_id)
        loaded = await self.turns.load(data["chat_key"], update)
        if loaded.processed:
            log.info("update %s already processed", event.update_id)
            return None
        ticket = data["turn"] = TurnTicket(update, loaded)
        result = await handler(event, data)
        if not ticket.taken:
            await self.updates.mark_update_processed(*update)
        return result
