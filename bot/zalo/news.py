"""The notifier for Zalo chats: the portal's event feed → outbox rows for ``zalo:``
chats (owners and relatives following an application) → the Zalo sender. The same
follower and outbox as Telegram, with its own cursor and worker name, and quiet hours
kept; the rate limits are the Zalo sender's (ZALO_RATE_PER_SECOND, ZALO_CHAT_RATE)."""

from __future__ import annotations

import asyncio
import logging

from backend_client import Backend
from bot.notify.db import Clock, Db, utcnow
from bot.notify.feed import Follower
from bot.notify.pipeline import start_loops, stop_loops
from bot.notify.sender import Sender, Sink
from bot.notify.settings import NotifySettings
from bot.store import Store
from bot.zalo.convert import CHANNEL

log = logging.getLogger(__name__)

PREFIX = f"{CHANNEL}:"


class ZaloNews:
    def __init__(
        self,
        store: Store,
        portal: Backend,
        sink: Sink,
        settings: NotifySettings | None = None,
        *,
        clock: Clock = utcnow,
        idle_poll: float = 0.5,
    ) -> None:
        base = settings or NotifySettings()
        self.settings = base.model_copy(
            update={"worker": f"zalo-{base.worker}"[:128], "webhook_port": None}
        )
        self.db = Db(store.engine)
        self.wake = asyncio.Event()
        self.feed_wake = asyncio.Event()
        self.follower = Follower(
            self.db,
            portal,
            self.settings,
            name="zalo",  # its own cursor: a Telegram notifier on the same store keeps its own
            channels=(PREFIX,),
            on_enqueued=self.wake.set,
            clock=clock,
        )
        self.sender = Sender(
            self.db,
            store,
            None,
            self.settings,
            sinks={PREFIX: sink},
            clock=clock,
            idle_poll=idle_poll,
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = start_loops(self.follower, self.sender, self.feed_wake, self.wake, "zalo")

    async def stop(self) -> None:
        await stop_loops(self._tasks, self.sender, self.db)
