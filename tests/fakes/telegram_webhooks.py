"""Telegram's webhook delivery as several bot workers behind one URL see it.

    deliverer = WebhookDeliverer(tg, ["http://127.0.0.1:8081/webhook", ...], seed=1)
    await deliverer.start()          # in the fake's loop
    tg.user_sends_text(42, "xin chào")
    await deliverer.settled()        # every update acknowledged
    await deliverer.stop()

What Telegram does, and the test needs: each update is POSTed to one of the worker
URLs chosen at random; an answer other than 2xx (refused, reset, timeout, 5xx) means
"not delivered": the update is delivered again, to a random worker, after a short
backoff. A chat's updates stay in order: the next one of a chat goes out only when the
previous one was acknowledged; chats are delivered in parallel (at most
``max_connections`` requests at once, Telegram's setting). Faults of Telegram's own,
for the bot to survive: ``duplicates`` (the probability that an acknowledged update
is delivered once more, to another worker, as Telegram does when it missed the
acknowledgement) — bursts come from the test injecting many updates at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from .telegram_api import FakeTelegram
from .telegram_records import QueuedUpdate


@dataclass(frozen=True)
class Attempt:
    """One POST: which update, to which worker, its status (None: no answer)."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float


def chat_of(update: dict[str, Any]) -> int | str | None:
    """The chat whose order an update belongs to (None: no chat, no order to keep)."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in update:
            return update[kind]["chat"]["id"]  # type: ignore[no-any-return]
    query = update.get("callback_query")
    if query and query.get("message"):
        return query["message"]["chat"]["id"]  # type: ignore[no-any-return]
    return None


class WebhookDeliverer:
    def __init__(
        self,
        fake: FakeTelegram,
        urls: list[str],
        *,
        secret_token: str | None = None,
        seed: int = 0,
        duplicates: float = 0.0,
        backoff: float = 0.05,
        max_backoff: float = 1.0,
        timeout: float = 30.0,
        max_connections: int = 40,
    ) -> None:
        self.fake = fake
        self.urls = list(urls)
        self.secret_token = secret_token
        self.rng = random.Random(seed)
        self.duplicates = duplicates
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.attempts: list[Attempt] = []
        self.acknowledged: list[tuple[int, str]] = []  # (update id, worker URL), in order
        self.duplicated: list[int] = []  # update ids delivered once more after their ack
        self.acked: set[int] = set()
        self._avoid: dict[int, str] = {}  # a duplicate goes first to another worker
        self._acks = asyncio.Condition()
        self._slots = asyncio.Semaphore(max_connections)
        self._busy: set[object] = set()  # chats with an update on the wire
        self._taken: set[int] = set()  # id() of the queue entries being delivered
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing = False

    async def start(self) -> WebhookDeliverer:
        """Take over the fake's delivery (call in the fake's event loop)."""
        self.fake.deliverer = self
        self._session = aiohttp.ClientSession()
        self._loop_task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        self._closing = True
        self.fake.updates_signal.notify()
        if self._loop_task is not None:
            await self._loop_task
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        self.fake.deliverer = None

    def pending(self) -> int:
        """Updates not acknowledged yet."""
        return len(self.fake.queue)

    async def settled(self, timeout: float = 60.0) -> None:
        """Until every queued update was acknowledged."""
        deadline = time.monotonic() + timeout
        while self.fake.queue:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.fake.queue)} updates still not acknowledged")
            await asyncio.sleep(0.05)

    async def wait_acknowledged(self, update_ids: list[int], timeout: float = 60.0) -> None:
        """Until each of these updates was acknowledged once."""
        async with self._acks:
            await asyncio.wait_for(
                self._acks.wait_for(lambda: self.acked.issuperset(update_ids)), timeout
            )

    async def _run(self) -> None:
        while not self._closing:
            self._start_ready()
            await self.fake.updates_signal.wait(0.5)

    def _start_ready(self) -> None:
        """Start the first waiting update of every chat that has none on the wire."""
        seen: set[object] = set()
        for entry in list(self.fake.queue):
            chat = chat_of(entry.update)
            order: object = chat if chat is not None else ("update", entry.update["update_id"])
            if order in seen:
                continue  # an earlier update of this chat goes first
            seen.add(order)
            if order in self._busy or id(entry) in self._taken:
                continue
            allowed = self.fake.allowed_updates
            if allowed and entry.kind not in allowed:
                self.fake.queue.remove(entry)
                continue
            self._busy.add(order)
            self._taken.add(id(entry))
            task = asyncio.create_task(self._deliver(entry, order))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, entry: QueuedUpdate, order: object) -> None:
        delay = self.backoff
        try:
            avoid = self._avoid.pop(entry.update["update_id"], None)
            while not self._closing:
                others = [u for u in self.urls if u != avoid] or self.urls
                url = self.rng.choice(others)
                avoid = None
                if await self._post(url, entry.update):
                    self.acknowledged.append((entry.update["update_id"], url))
                    async with self._acks:
                        self.acked.add(entry.update["update_id"])
                        self._acks.notify_all()
                    if entry in self.fake.queue:
                        self.fake.queue.remove(entry)
                    if not entry.redelivery and self.rng.random() < self.duplicates:
                        self.duplicated.append(entry.update["update_id"])
                        self._avoid[entry.update["update_id"]] = url
                        self.fake.redeliver(entry.update["update_id"])
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
        finally:
            self._busy.discard(order)
            self._taken.discard(id(entry))
            self.fake.updates_signal.notify()

    async def _post(self, url: str, update: dict[str, Any]) -> bool:
        assert self._session is not None
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        update_id = update["update_id"]
        try:
            async with (
                self._slots,
                self._session.post(
                    url,
                    json=update,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response,
            ):
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.attempts.append(Attempt(update_id, url, None, repr(exc), time.monotonic()))
            return False
        self.attempts.append(Attempt(update_id, url, status, None, time.monotonic()))
        return 200 <= status < 300
