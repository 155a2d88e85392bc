"""The two loops every notifier runs — the feed follower and the outbox sender — started
as tasks and stopped together, whatever the channel (Telegram, terminal, Zalo)."""

from __future__ import annotations

import asyncio

from bot.notify.db import Db
from bot.notify.feed import Follower
from bot.notify.sender import Sender


def start_loops(
    follower: Follower,
    sender: Sender,
    feed_wake: asyncio.Event,
    outbox_wake: asyncio.Event,
    label: str,
) -> list[asyncio.Task[None]]:
    return [
        asyncio.create_task(follower.run(feed_wake), name=f"{label}-feed"),
        asyncio.create_task(sender.run(outbox_wake), name=f"{label}-send"),
    ]


async def stop_loops(tasks: list[asyncio.Task[None]], sender: Sender, db: Db) -> None:
    """Cancel the loops, then release what they shared (the limiter, the database lane)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    tasks.clear()
    await sender.limiter.aclose()
    db.close()
