"""The two loops every notifier runs — the feed follower and the outbox sender — started
as tasks and stopped together, whatever the channel (Telegram, terminal, Zalo)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bot.notify.db import Db
from bot.notify.feed import Follower
from bot.notify.sender import Sender


def start_loops(
    follower: Follower,
    sender: Sender,
    feed_wake: asyncio.Event,
    outbox_wake: asyncio.Event,
    label: str,
    follow: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> list[asyncio.Task[None]]:
    """The sender first (a restarted process sends before it reads the feed); the
    follower by `follow` when given (under a leader lock), else as it is."""
    return [
        asyncio.create_task(sender.run(outbox_wake), name=f"{label}-send"),
        asyncio.create_task(
            follow() if follow is not None else follower.run(feed_wake), name=f"{label}-feed"
        ),
    ]


async def stop_loops(tasks: list[asyncio.Task[None]], sender: Sender, db: Db) -> None:
    """Cancel the loops, then release what they shared (the limiter, the database lane)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    tasks.clear()
    await sender.limiter.aclose()
    db.close()
