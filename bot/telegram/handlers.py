"""The Router: messages, edits and button presses become engine events; the
engine's replies go back through the ReplySender."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message, User

from bot.loop_filters import on_loop
from bot.runtime import Runtime
from bot.telegram.albums import AlbumCollector
from bot.telegram.convert import album_to_event, callback_to_event, message_to_event
from bot.telegram.generics import AnswerPress
from bot.telegram.middleware import TurnTicket, chat_key
from bot.telegram.sender import ReplySender
from dialogs import Event, Unsupported

log = logging.getLogger(__name__)


class TelegramHandlers:
    def __init__(
        self,
        runtime: Runtime,
        sender: ReplySender,
        *,
        album_delay: float = 1.0,
        typing_after: float = 0.0,
    ):
        self.runtime = runtime
        self.sender = sender
        self.typing_after = typing_after
        self.albums = AlbumCollector(self._on_album, delay=album_delay)

    def router(self) -> Router:
        router = Router(name="motcua")
        router.message.register(
            self.on_album_part, on_loop(F.media_group_id), on_loop(F.photo | F.document)
        )
        router.message.register(self.on_message)
        router.edited_message.register(self.on_edited)
        router.callback_query.register(self.on_callback)
        return router

    async def on_message(self, message: Message, turn: TurnTicket | None = None) -> None:
        event = message_to_event(message)
        if event is not None:
            await self.turn(message.chat.id, message.from_user, event, locked=True, ticket=turn)

    async def on_album_part(self, message: Message) -> None:
        self.albums.add(message)

    async def _on_album(self, messages: list[Message]) -> None:
        first = messages[0]
        # Later than the update that started it: take the chat's lock again.
        await self.turn(first.chat.id, first.from_user, album_to_event(messages), locked=False)

    async def on_edited(self, message: Message, turn: TurnTicket | None = None) -> None:
        event = Unsupported("edited")
        await self.turn(message.chat.id, message.from_user, event, locked=True, ticket=turn)

    async def on_callback(
        self, query: CallbackQuery, bot: Bot, turn: TurnTicket | None = None
    ) -> None:
        # Always answer, or the button keeps spinning on the user's phone; while the
        # turn runs, so the answer costs the user no round trip.
        answering = asyncio.create_task(self._answer(bot, query))
        # Let it start now: the turn may not yield before its replies are being sent
        # (the store's statements run on the loop), and the answer should go first.
        await asyncio.sleep(0)
        try:
            event = callback_to_event(query)
            if event is not None and query.message is not None:
                chat_id = query.message.chat.id
                await self.turn(chat_id, query.from_user, event, locked=True, ticket=turn)
        finally:
            await answering

    async def _answer(self, bot: Bot, query: CallbackQuery) -> None:
        try:
            await self.sender.call(lambda: bot(AnswerPress(callback_query_id=query.id)))
        except Exception as exc:
            log.debug("callback answer failed: %s", exc)

    async def turn(
        self,
        chat_id: int,
        user: User | None,
        event: Event,
        *,
        locked: bool,
        ticket: TurnTicket | None = None,
    ) -> None:
        """One turn, then its replies: sent after the turn's commit, so a worker killed
        before it leaves the update to be delivered again and nothing was said; killed
        while sending, the rest of the replies is lost, never said twice."""
        key = chat_key(chat_id)
        hint = user.language_code if user else None
        # "typing..." goes out when the turn is slow, and then always before any reply.
        typing = _DelayedTyping(self.sender, chat_id, self.typing_after)
        try:
            if locked and ticket is not None:
                # ChatTurnMiddleware holds the chat's lock and has read the chat.
                ticket.taken = True
                replies = await self.runtime.process_locked(
                    key, event, lang_hint=hint, update=ticket.update, loaded=ticket.loaded
                )
            elif locked:  # ChatTurnMiddleware holds the chat's lock
                replies = await self.runtime.process_locked(key, event, lang_hint=hint)
            else:
                replies = await self.runtime.process(key, event, lang_hint=hint)
        finally:
            await typing.finish()
        await self.sender.send(chat_id, key, replies)


class _DelayedTyping:
    """Sends "typing..." after ``delay`` seconds unless finished first. Once the request
    has started it is awaited, so the indicator never arrives after the reply. A timer,
    not a task, waits out the delay: most turns finish first and then cost nothing."""

    def __init__(self, sender: ReplySender, chat_id: int, delay: float) -> None:
        self.sender = sender
        self.chat_id = chat_id
        self.task: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        if delay <= 0:  # no delay: always shown
            self._start()
        else:
            self.timer = asyncio.get_running_loop().call_later(delay, self._start)

    def _start(self) -> None:
        self.timer = None
        self.task = asyncio.create_task(self.sender.typing(self.chat_id))

    async def finish(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.task is not None:
            await self.task
