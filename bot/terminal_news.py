"""The notifier for one terminal chat: the portal's event feed → outbox rows for this
chat → printed in the terminal between turns. The same follower and sender as for
Telegram (status changes, supplement requests, results, reminders), with the terminal
as the sender's sink, so the assistant's "I will write to you here" holds in
`make demo` too."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from sqlalchemy.orm import Session

from backend_client import Backend
from bot.notify.db import Clock, Db, as_utc, utcnow
from bot.notify.feed import Follower
from bot.notify.models import NotifierCursor
from bot.notify.pipeline import start_loops, stop_loops
from bot.notify.sender import Sender, Sink
from bot.notify.settings import NotifySettings
from bot.store import Store

log = logging.getLogger(__name__)


class Chat(Sink, Protocol):
    key: str


class TerminalNews:
    def __init__(
        self,
        store: Store,
        portal: Backend,
        chat: Chat,
        settings: NotifySettings | None = None,
        *,
        clock: Clock = utcnow,
    ) -> None:
        base = settings or NotifySettings()
        self.key = chat.key
        self.settings = base.model_copy(
            update={
                # The user is at the screen: nothing waits for the morning.
                "quiet_end": base.quiet_start,
                # Its own rows only, under its own name: a Telegram notifier on the same
                # store (worker = host name) keeps its rows and its cursor.
                "worker": f"terminal-{self.key}"[:128],
                "webhook_port": None,
            }
        )
        self.db = Db(store.engine)
        self.wake = asyncio.Event()
        self.feed_wake = asyncio.Event()
        self.follower = Follower(
            self.db,
            portal,
            self.settings,
            name=self.key[:40],  # a cursor per terminal chat
            channels=(self.key,),
            on_enqueued=self.wake.set,
            clock=clock,
        )
        self.sender = Sender(
            self.db, store, None, self.settings, sinks={self.key: chat}, clock=clock
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        try:
            await self._skip_history_on_first_start()
        except Exception as exc:  # the chat must start anyway; the follower retries
            log.warning("terminal news: the feed's end not found (%s)", exc)
        self._tasks = start_loops(self.follower, self.sender, self.feed_wake, self.wake, "terminal")

    async def stop(self) -> None:
        await stop_loops(self._tasks, self.sender, self.db)

    async def _skip_history_on_first_start(self) -> None:
        """A chat's first start follows the feed from its end: the news of earlier
        sessions (an old demo database) would be a flood of stale messages."""
        if await self.follower.cursor() > 0:
            return
        last = 0
        while page := (await self.follower.portal.events(after=last, limit=1000)).events:
            last = page[-1].id
        if not last:
            return

        def fn(db: Session) -> None:
            if db.get(NotifierCursor, self.follower.name) is None:
                db.add(
                    NotifierCursor(
                        name=self.follower.name,
                        last_event_id=last,
                        updated_at=as_utc(self.follower.clock()),
                    )
                )

        await self.db.run(fn)
