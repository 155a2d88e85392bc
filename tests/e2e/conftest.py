"""The whole assistant end to end: the real aiogram bot polling the fake Bot API over
HTTP on loopback, the real engine and NLU, the real portal in-process (SQLite and
PostgreSQL through the shared `db_url` fixture)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from backend_client import PortalClient
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from dialogs import Event, Reply, State
from tests.fakes import FakeTelegram, InjectedUpdate

TOKEN = "123456:TEST"
TURN_TIMEOUT = 30.0


class Turns:
    """Counts the turns the channel has finished sending, per chat: a turn's replies
    all go out in one `ReplySender.send`, so "turn done" is exact, not guessed."""

    def __init__(self) -> None:
        self.done: defaultdict[int, int] = defaultdict(int)
        self.changed = asyncio.Condition()
        self.events: list[tuple[str, Event]] = []  # every event the engine was given

    def wrap(self, channel: TelegramChannel) -> None:
        runtime = channel.runtime
        process_locked = runtime.process_locked

        async def logged(key: str, event: Event, **kwargs: Any) -> list[Reply]:
            self.events.append((key, event))
            return await process_locked(key, event, **kwargs)

        runtime.process_locked = logged  # type: ignore[method-assign]
        sender = channel.handlers.sender
        original = sender.send

        async def send(chat_id: int, key: str, replies: list[Reply]) -> bool:
            try:
                return await original(chat_id, key, replies)
            finally:
                async with self.changed:
                    self.done[chat_id] += 1
                    self.changed.notify_all()

        sender.send = send  # type: ignore[method-assign]

    async def wait(self, chat_id: int, count: int, timeout: float = TURN_TIMEOUT) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.done[chat_id] >= count), timeout
            )


class Citizen:
    """One Telegram user talking to the bot; every action waits for the whole turn."""

    def __init__(
        self, tg: FakeTelegram, turns: Turns, chat_id: int, language_code: str = "vi"
    ) -> None:
        self.tg = tg
        self.turns = turns
        self.chat_id = chat_id
        self.language_code = language_code
        self.expected = 0
        self.injected: list[InjectedUpdate] = []

    async def _turn(self, inject: Any) -> list[dict[str, Any]]:
        mark = self.tg.message_count(self.chat_id)
        self.injected.append(inject())
        self.expected += 1
        await self.turns.wait(self.chat_id, self.expected)
        return self.tg.sent_messages(self.chat_id)[mark:]

    async def start(self, payload: str | None = None) -> list[dict[str, Any]]:
        return await self._turn(
            lambda: self.tg.user_starts(self.chat_id, payload, language_code=self.language_code)
        )

    async def says(self, text: str) -> list[dict[str, Any]]:
        return await self._turn(
            lambda: self.tg.user_sends_text(self.chat_id, text, language_code=self.language_code)
        )

    async def presses(self, label: str) -> list[dict[str, Any]]:
        """Press the inline button whose caption contains `label` on the latest message
        that has one."""
        for message in reversed(self.tg.sent_messages(self.chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label.lower() in button["text"].lower():
                        data: str = button["callback_data"]
                        mid: int = message["message_id"]
                        return await self._turn(
                            lambda: self.tg.user_presses_button(self.chat_id, mid, data)  # noqa: B023
                        )
        raise AssertionError(f"no button {label!r} in {self.transcript(8)}")

    async def sends_photo(self, data: bytes, caption: str | None = None) -> list[dict[str, Any]]:
        return await self._turn(
            lambda: self.tg.user_sends_photo(self.chat_id, data, caption=caption)
        )

    async def does(self, inject: Any) -> list[dict[str, Any]]:
        """Any other user action (`inject` calls the fake); waits for its turn."""
        return await self._turn(inject)

    def last(self) -> dict[str, Any]:
        return self.tg.last_message(self.chat_id)

    def keyboard(self) -> list[str]:
        """The reply-keyboard labels now offered (the latest message that set one)."""
        for message in reversed(self.tg.sent_messages(self.chat_id)):
            markup = message.get("reply_markup") or {}
            if "keyboard" in markup:
                return [b["text"] for row in markup["keyboard"] for b in row]
            if markup.get("remove_keyboard"):
                return []
        return []

    def transcript(self, last: int = 100) -> str:
        lines = []
        for m in self.tg.sent_messages(self.chat_id)[-last:]:
            lines.append(f"[{m['method']}] {m.get('text') or m.get('caption') or ''}")
            if m["buttons"]:
                lines.append(f"   buttons: {m['buttons']}")
        return "\n".join(lines)


WHERE = ("flow", "procedure", "app_id", "field", "doc", "answers", "docs", "lang")


async def where(store: Store, chat_id: int) -> dict[str, Any]:
    """Where a chat's conversation stands (what a bad input must not change)."""
    state: State = await store.load_state(f"telegram:{chat_id}")
    return state.model_dump(include=set(WHERE))


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def bot_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
async def bot_store(bot_db: str) -> AsyncIterator[Store]:
    store = Store.migrated(bot_db)
    yield store
    store.close()


@pytest.fixture
def turns() -> Turns:
    return Turns()


async def run_channel(
    tg: FakeTelegram, portal: PortalClient, store: Store, turns: Turns
) -> tuple[TelegramChannel, asyncio.Task[None]]:
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=tg.api_base)
    channel = TelegramChannel.build(settings, backend=portal, store=store, album_delay=0.2)
    turns.wrap(channel)
    mark = tg.mark()
    polling = asyncio.create_task(
        channel.dispatcher.start_polling(channel.bot, polling_timeout=1, handle_signals=False)
    )
    await tg.wait_for("setMyCommands", timeout=10, since=mark)
    return channel, polling


@pytest.fixture
async def channel(
    tg: FakeTelegram, portal: PortalClient, bot_store: Store, turns: Turns
) -> AsyncIterator[TelegramChannel]:
    ch, polling = await run_channel(tg, portal, bot_store, turns)
    try:
        yield ch
    finally:
        await ch.dispatcher.stop_polling()
        await polling
        await ch.bot.session.close()


@pytest.fixture
def citizen(tg: FakeTelegram, turns: Turns, channel: TelegramChannel) -> Citizen:
    return Citizen(tg, turns, 7001)
