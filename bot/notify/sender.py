"""The sender: due outbox rows → Telegram, within the limits, each sent once.

A row goes pending → claimed (taken by this sender, not yet tried) → sending (the
request is on its way) → sent (marked right after Telegram's 200). Only a row left
'sending' by a crash can have reached the chat already; it is sent again on restart
and counted in `possible_duplicates` (and in the row's `resent`). Rows only
'claimed' go back to pending silently: they were never tried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from bot.notify.db import Clock, Db, GroupWriter, as_utc, table, utcnow
from bot.notify.limiter import Limiter, LocalLimiter, acquire, chat_rate
from bot.notify.models import CLAIMED, FAILED, PENDING, SENDING, SENT, OutboxMessage
from bot.notify.settings import NotifySettings
from bot.notify.telegram import (
    Forbidden,
    Messenger,
    NetworkError,
    RetryAfter,
    ServerError,
    TelegramError,
)
from bot.store.models import Chat

log = logging.getLogger(__name__)


@dataclass
class Metrics:
    sent: int = 0
    rate_limited: int = 0  # 429s received
    server_errors: int = 0  # 5xx and network errors
    blocked: int = 0
    failed: int = 0
    possible_duplicates: int = 0  # rows re-sent after being left 'sending'


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    payload: dict[str, Any]
    attempts: int


def chat_id_of(key: str) -> int:
    return int(key.split(":", 1)[1])


class Sink(Protocol):
    """A chat reached without Telegram (the terminal): shows a message at once."""

    async def deliver(self, key: str, text: str, buttons: list[list[dict[str, str]]]) -> bool:
        """True when shown; False when this chat is not there to show it."""
        ...


class BlockedChats(Protocol):
    """Where a chat that blocked the bot is recorded (the bot store)."""

    async def record_blocked(self, key: str) -> None: ...


class Sender:
    def __init__(
        self,
        db: Db,
        store: BlockedChats,
        bot: Messenger | None,
        settings: NotifySettings,
        *,
        limiter: Limiter | None = None,
        clock: Clock = utcnow,
        idle_poll: float = 0.5,
        sinks: Mapping[str, Sink] | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.bot = bot
        # Chats shown by a sink instead of Telegram; without a bot, the only rows taken.
        self.sinks: Mapping[str, Sink] = sinks or {}
        self.settings = settings
        self.limiter: Limiter = limiter or LocalLimiter(scale=settings.limit_scale)
        self.clock = clock
        self.idle_poll = idle_poll
        self.worker = settings.worker
        self.metrics = Metrics()
        self.max_in_flight = settings.max_in_flight or max(10, int(30 * settings.limit_scale))
        self._queues: dict[str, deque[Claimed]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._in_flight = 0
        self._slot = asyncio.Event()
        self._http = asyncio.Semaphore(settings.concurrency)
        self._blocked: set[str] = set()
        self._last_sent: dict[int, float] = {}
        self._last_recovery = 0.0
        self._asked = 0
        # Set once the first message is out (or none was due, or claiming failed).
        self.started = asyncio.Event()
        self._writer = GroupWriter(db, self._apply)

    # --- the database side -----------------------------------------------------------

    async def recover(self, *, all_stale: bool = False, own: bool = True) -> int:
        """Put back rows this worker left claimed or sending (a crash: at start only,
        ``own``), and those of any other worker whose lease ran out (it stopped renewing
        it: dead). Returns how many were 'sending'. Never, while running, this worker's
        own rows: they are in its queues, and put back they would be claimed and sent a
        second time."""
        now = as_utc(self.clock())
        expired = now - timedelta(seconds=self.settings.lease_seconds)
        others = and_(
            OutboxMessage.claimed_by.is_distinct_from(self.worker),
            OutboxMessage.claimed_at < expired,
        )
        ours = or_(OutboxMessage.claimed_by == self.worker, others) if own else others
        if all_stale:
            ours = or_(ours, OutboxMessage.claimed_by.is_not(None))

        def fn(db: Session) -> int:
            sending = db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == SENDING, ours)
                .values(
                    status=PENDING,
                    resent=OutboxMessage.resent + 1,
                    claimed_by=None,
                    claimed_at=None,
                )
            ).rowcount  # type: ignore[attr-defined]
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == CLAIMED, ours)
                .values(status=PENDING, claimed_by=None, claimed_at=None)
            )
            return int(sending or 0)

        count = await self.db.run(fn, urgent=True)
        if count:
            log.warning("%s message(s) were in flight at a crash: sending again", count)
        self.metrics.possible_duplicates += count
        return count

    async def renew(self) -> int:
        """Renew this worker's lease on the rows it holds (claimed or being sent), so
        that however long Telegram makes it wait (a 429's retry_after, the limiter) no
        other worker takes them back while it lives; a dead worker's rows are taken
        back one lease after its last renewal. Returns how many rows it holds."""
        now = as_utc(self.clock())

        def fn(db: Session) -> int:
            held = db.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.claimed_by == self.worker,
                    OutboxMessage.status.in_((CLAIMED, SENDING)),
                )
                .values(claimed_at=now)
            )
            return int(held.rowcount or 0)  # type: ignore[attr-defined]

        return await self.db.run(fn, urgent=True)

    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 4)
            try:
                await self.renew()
            except Exception as exc:  # the next one may do; the lease has 3 more chances
                log.warning("notifier sender: lease not renewed: %s", exc)

    async def claim(self, limit: int) -> list[Claimed]:
        now = as_utc(self.clock())

        def fn(db: Session) -> list[Claimed]:
            # Chats that blocked the bot get nothing; their rows end as failed.
            blocked_keys = select(Chat.key).where(Chat.blocked.is_(True))
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.key.in_(blocked_keys))
                .values(status=FAILED, last_error="blocked")
                .execution_options(synchronize_session=False)
            )
            rows = list(
                db.execute(
                    select(
                        OutboxMessage.id,
                        OutboxMessage.key,
                        OutboxMessage.payload,
                        OutboxMessage.attempts,
                    )
                    .where(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)
                    .where(self._taken())
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if rows:
                db.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([r.id for r in rows]))
                    .values(status=CLAIMED, claimed_by=self.worker, claimed_at=now)
                )
            return [Claimed(r.id, r.key, r.payload, r.attempts) for r in rows]

        return await self.db.run(fn, urgent=True)

    def _taken(self) -> ColumnElement[bool]:
        """The rows this sender may claim: with a Telegram bot, any row but those of a
        channel another sink serves; without one, its sinks' rows only. A sink keyed by
        a prefix ending in ':' ("zalo:") takes every chat of that channel."""
        exact = [k for k in self.sinks if not k.endswith(":")]
        prefixes = [k for k in self.sinks if k.endswith(":")]
        mine = or_(
            OutboxMessage.key.in_(exact), *(OutboxMessage.key.startswith(p) for p in prefixes)
        )
        if self.bot is None:
            return mine
        return or_(mine, OutboxMessage.key.startswith("telegram:"))

    async def _set(self, row_id: int, **values: Any) -> None:
        await self._writer.set(row_id, values)

    @staticmethod
    def _apply(db: Session, updates: list[tuple[int, dict[str, Any]]]) -> None:
        # Plain values with the same columns go in one executemany (Core: no ORM
        # bookkeeping on the hot path); an expression (resent + 1) goes alone.
        outbox = table(OutboxMessage)
        plain: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row_id, values in updates:
            if any(isinstance(v, ClauseElement) for v in values.values()):
                db.execute(update(outbox).where(outbox.c.id == row_id).values(**values))
                continue
            names = tuple(sorted(values))
            plain.setdefault(names, []).append(
                {"row_id": row_id, **{f"v_{k}": v for k, v in values.items()}}
            )
        for names, params in plain.items():
            stmt = (
                update(outbox)
                .where(outbox.c.id == bindparam("row_id"))
                .values({k: bindparam(f"v_{k}") for k in names})
            )
            db.execute(stmt, params)

    async def counts(self) -> dict[str, int]:
        """Rows per status, with 'held' for pending rows not due yet (quiet hours, backoff)."""
        now = as_utc(self.clock())

        def fn(db: Session) -> dict[str, int]:
            out = {
                status: n
                for status, n in db.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            }
            out["held"] = (
                db.scalar(
                    select(func.count()).where(
                        and_(OutboxMessage.status == PENDING, OutboxMessage.not_before > now)
                    )
                )
                or 0
            )
            return out

        return await self.db.run(fn)

    # --- sending ---------------------------------------------------------------------

    async def deliver(self, row: Claimed) -> None:
        """Send one claimed row, honouring limits; leaves it sent, failed or pending."""
        if row.key in self._blocked:
            await self._set(row.id, status=FAILED, last_error="blocked", claimed_by=None)
            return
        sink = self.sinks.get(row.key) or self.sinks.get(row.key.split(":", 1)[0] + ":")
        if sink is not None:
            await self._deliver_to(sink, row)
            return
        if self.bot is None:
            await self._set(row.id, status=FAILED, last_error="no channel", claimed_by=None)
            self.metrics.failed += 1
            return
        try:
            chat_id = chat_id_of(row.key)
        except ValueError:
            await self._set(row.id, status=FAILED, last_error="not a chat key", claimed_by=None)
            self.metrics.failed += 1
            return
        text = str(row.payload.get("text") or "")
        buttons = row.payload.get("buttons") or []
        marked = False
        while True:
            await acquire(self.limiter, chat_id)
            if not marked:
                # 'sending' only now that the request goes out: a crash while waiting
                # for a token leaves the row 'claimed', which is never a duplicate.
                await self._set(row.id, status=SENDING)
                marked = True
            try:
                async with self._http:
                    message_id = await self.bot.send_text(chat_id, text, buttons)
            except RetryAfter as exc:
                self.metrics.rate_limited += 1
                wait = min(float(exc.retry_after), self.settings.max_retry_after)
                # Over this chat's own limit → only it waits; otherwise everybody does.
                recent = time.monotonic() - self._last_sent.get(chat_id, float("-inf"))
                target = chat_id if recent < 1.0 / chat_rate(chat_id, 1.0) else None
                await self.limiter.pause(target, wait)
                continue
            except Forbidden:
                self.metrics.blocked += 1
                self._blocked.add(row.key)
                await self.store.record_blocked(row.key)
                await self._set(row.id, status=FAILED, last_error="blocked", claimed_by=None)
                return
            except (ServerError, NetworkError, TimeoutError, OSError) as exc:
                await self._retry_later(row, exc)
                return
            except TelegramError as exc:  # 400 and the like: sending again will not help
                self.metrics.failed += 1
                await self._set(row.id, status=FAILED, last_error=str(exc)[:500], claimed_by=None)
                return
            self._last_sent[chat_id] = time.monotonic()
            break
        # The duplicate window: from Telegram's 200 to this commit.
        await self._set(
            row.id,
            status=SENT,
            sent_at=as_utc(self.clock()),
            telegram_message_id=message_id,
            claimed_by=None,
        )
        self.metrics.sent += 1

    async def _deliver_to(self, sink: Sink, row: Claimed) -> None:
        """A sink's chat: no rate limit to honour, and nothing on a wire to duplicate."""
        await self._set(row.id, status=SENDING)
        try:
            shown = await sink.deliver(
                row.key, str(row.payload.get("text") or ""), row.payload.get("buttons") or []
            )
        except Exception as exc:
            log.warning("message %s not shown: %s", row.id, exc)
            await self._retry_later(row, exc)
            return
        if not shown:
            self.metrics.failed += 1
            await self._set(row.id, status=FAILED, last_error="chat not open", claimed_by=None)
            return
        await self._set(row.id, status=SENT, sent_at=as_utc(self.clock()), claimed_by=None)
        self.metrics.sent += 1

    async def _retry_later(self, row: Claimed, exc: Exception) -> None:
        self.metrics.server_errors += 1
        attempts = row.attempts + 1
        # A network error may hide a message that did arrive: a retry may double it.
        ambiguous = isinstance(exc, NetworkError | TimeoutError | OSError)
        extra: dict[str, Any] = {"resent": OutboxMessage.resent + 1} if ambiguous else {}
        if ambiguous:
            self.metrics.possible_duplicates += 1
        if attempts >= self.settings.max_attempts:
            self.metrics.failed += 1
            await self._set(
                row.id,
                status=FAILED,
                attempts=attempts,
                last_error=str(exc)[:500],
                claimed_by=None,
                **extra,
            )
            return
        delay = min(self.settings.backoff_base * 2 ** (attempts - 1), self.settings.backoff_max)
        log.info("message %s: %s; again in %.1f s", row.id, exc, delay)
        await self._set(
            row.id,
            status=PENDING,
            attempts=attempts,
            last_error=str(exc)[:500],
            not_before=as_utc(self.clock()) + timedelta(seconds=delay),
            claimed_by=None,
            claimed_at=None,
            **extra,
        )

    async def _chat_worker(self, key: str) -> None:
        # One task per chat keeps its messages in order.
        queue = self._queues[key]
        try:
            while queue:
                row = queue.popleft()
                try:
                    await self.deliver(row)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("message %s not delivered", row.id)
                finally:
                    self._in_flight -= 1
                    self._slot.set()
                    self.started.set()
        finally:
            del self._queues[key]
            del self._tasks[key]

    async def fill(self) -> int:
        """Claim what fits in the in-flight window and hand it to the chat workers;
        returns how many were claimed."""
        room = self.max_in_flight - self._in_flight
        if room <= 0:
            return 0
        self._asked = room
        rows = await self.claim(room)
        for row in rows:
            self._in_flight += 1
            queue = self._queues.get(row.key)
            if queue is None:
                queue = self._queues[row.key] = deque()
                self._tasks[row.key] = asyncio.create_task(self._chat_worker(row.key))
            queue.append(row)
        return len(rows)

    async def drain(self) -> int:
        """Send everything due now, then return (tests); returns how many were claimed."""
        total = 0
        while True:
            claimed = await self.fill()
            total += claimed
            if self._tasks:
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
            elif not claimed:
                return total

    async def run(self, wake: asyncio.Event) -> None:
        await self.recover()
        self._last_recovery = time.monotonic()
        lease = asyncio.create_task(self._keep_lease())
        try:
            while True:
                try:
                    claimed = await self.fill()
                    if time.monotonic() - self._last_recovery > self.settings.lease_seconds / 2:
                        self._last_recovery = time.monotonic()
                        await self.recover(own=False)  # a dead worker's rows
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("notifier sender: %s", exc)
                    claimed = 0
                    self.started.set()
                if not claimed:
                    self.started.set()
                # Claim in batches: wait for half the window to free up first.
                while self._in_flight > self.max_in_flight // 2:
                    self._slot.clear()
                    await self._slot.wait()
                if claimed < self._asked or not claimed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), self.idle_poll)
                    wake.clear()
        finally:
            self.started.set()
            lease.cancel()
            await asyncio.gather(lease, return_exceptions=True)
            await self._wind_down()

    async def _wind_down(self) -> None:
        """On stop: let the messages already on their way finish (briefly), and give
        back the rows claimed but not tried, so that nothing stays 'sending'."""
        for queue in self._queues.values():
            # Keep only each chat's current row; the rest was never tried.
            self._in_flight -= len(queue)
            queue.clear()
        tasks = list(self._tasks.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=self.settings.stop_grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        def fn(db: Session) -> None:
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == CLAIMED, OutboxMessage.claimed_by == self.worker)
                .values(status=PENDING, claimed_by=None, claimed_at=None)
            )

        try:
            await self.db.run(fn)
        except Exception as exc:  # the next start recovers them anyway
            log.warning("notifier sender: claimed rows not released: %s", exc)
        await self._writer.aclose()
