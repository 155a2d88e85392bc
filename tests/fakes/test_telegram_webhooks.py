"""The webhook deliverer: random workers, delivered again until a 2xx, one chat's
updates one at a time and in order, duplicates after an acknowledgement."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.fakes import FakeTelegram
from tests.fakes.telegram_webhooks import WebhookDeliverer, chat_of


class Worker:
    """A bot worker stand-in: answers 500 to the first delivery of every update it
    sees (a turn that failed), 200 after; notes what it handled and any overlap."""

    def __init__(self, log: list[tuple[int, int]], in_flight: dict[int, int]) -> None:
        self.log = log
        self.in_flight = in_flight
        self.failed: set[int] = set()
        self.overlaps = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s"
        chat = chat_of(update)
        assert isinstance(chat, int)
        self.in_flight[chat] += 1
        self.overlaps += self.in_flight[chat] > 1
        try:
            await asyncio.sleep(0.01)
            if update["update_id"] not in self.failed:
                self.failed.add(update["update_id"])
                return web.Response(status=500)
            self.log.append((chat, update["update_id"]))
            return web.json_response({})
        finally:
            self.in_flight[chat] -= 1

    async def start(self) -> Worker:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def test_deliveries_are_retried_ordered_per_chat_and_duplicated(tg: FakeTelegram) -> None:
    log: list[tuple[int, int]] = []
    in_flight: dict[int, int] = defaultdict(int)
    workers = [await Worker(log, in_flight).start() for _ in range(2)]
    refused = "http://127.0.0.1:9/hook"  # nothing listens: connection refused
    deliverer = WebhookDeliverer(
        tg, [w.url for w in workers] + [refused], secret_token="s", seed=4, duplicates=0.3
    )
    await deliverer.start()
    try:
        sent = {
            chat: [tg.user_sends_text(chat, f"{i}").update_id for i in range(6)]
            for chat in (1, 2, 3)
        }
        await deliverer.settled(timeout=30)
    finally:
        await deliverer.stop()
        for worker in workers:
            assert worker.runner is not None
            await worker.runner.cleanup()
    assert sum(w.overlaps for w in workers) == 0  # one update of a chat at a time
    for chat, ids in sent.items():
        handled = [u for c, u in log if c == chat]
        firsts = list(dict.fromkeys(handled))
        assert firsts == ids  # every update, in order
        assert len(handled) == len(ids) + sum(u in deliverer.duplicated for u in ids)
    assert deliverer.duplicated  # some were delivered again after their 200
    statuses = {a.status for a in deliverer.attempts}
    assert {None, 500, 200} <= statuses  # refused and failed deliveries were retried
    assert {url for _, url in deliverer.acknowledged} == {w.url for w in workers}
