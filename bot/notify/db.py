"""Database plumbing shared by the follower and the sender: an engine tuned for many
small commits, a single writer thread on SQLite, dialect-specific inserts."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.engine import make_engine
from bot.store.models import Chat

T = TypeVar("T")
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive (they were stored in UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_utc(value: datetime) -> datetime:
    """Every stored time is UTC: SQLite keeps the wall-clock digits and drops the zone."""
    return aware(value).astimezone(UTC)


def table(model: type[Any]) -> Table:
    """A model's Core table: statements on it skip the ORM's bookkeeping (hot paths)."""
    return cast(Table, model.__table__)


def notifier_engine(url: str) -> Engine:
    """The store's engine; on SQLite with synchronous=NORMAL, which in WAL mode still
    survives a killed process (only a power cut may lose the last commits) and makes
    the one-commit-per-message outbox affordable."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sync_normal(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


class NotifierStore(Protocol):
    """What the notifier needs of the bot store: its engine, and where a chat that
    blocked the bot is recorded. `bot.store.Store` is one; `ChatBlocks` is the
    notifier process's own, without the conversations' repository (and its imports:
    the dialog engine, NLU), which a restarted notifier need not wait for."""

    engine: Engine

    async def record_blocked(self, key: str) -> None: ...


class ChatBlocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    async def record_blocked(self, key: str) -> None:
        """The user blocked the bot (Telegram 403): the bot stops writing to them too."""
        now = utcnow()
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(Chat).values(
            key=key, lang="vi", blocked=True, blocked_at=now, created_at=now, updated_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[Chat.key],
            set_={"blocked": True, "blocked_at": now, "updated_at": now},
        )

        def work() -> None:
            with self._sessions() as db:
                db.execute(stmt)
                db.commit()

        await asyncio.to_thread(work)

    def close(self) -> None:
        self.engine.dispose()


class Db:
    """Runs one function per transaction in worker threads.

    On SQLite there is one writer per database, so every transaction of the process
    goes through a single lane (one thread) instead of several threads polling the
    file lock: SQLite's busy handler sleeps in steps of up to 100 ms and a writer that
    keeps coming back (the follower applying the feed) starved the sender's commits.
    Jobs marked `urgent` (the sender's claims and row marks) are taken before the
    others, so a 'sent' mark waits at most for the one transaction already running.
    On PostgreSQL, rows are locked one by one and a pool of threads runs in parallel.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._pool: ThreadPoolExecutor | None = None
        self._lane: _Lane | None = None
        if self.dialect == "sqlite":
            self._lane = _Lane(self.run_sync)
        else:
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="notify-db")

    def insert(self, model: Table | type[Any]) -> Any:
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(model)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        with self._sessions() as db:
            result = fn(db)
            db.commit()
            return result

    async def run(self, fn: Callable[[Session], T], *, urgent: bool = False) -> T:
        if self._lane is not None:
            return await self._lane.submit(fn, urgent=urgent)
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.run_sync, fn)

    def close(self) -> None:
        if self._lane is not None:
            self._lane.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class _Lane:
    """One worker thread taking urgent jobs before the others (FIFO within each)."""

    def __init__(self, run: Callable[[Callable[[Session], Any]], Any]) -> None:
        self._run = run
        self._urgent: deque[_Job] = deque()
        self._normal: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    async def submit(self, fn: Callable[[Session], T], *, urgent: bool) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._cond:
            if self._closed:
                raise RuntimeError("database lane closed")
            (self._urgent if urgent else self._normal).append(_Job(fn, loop, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="notify-db-lane", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return await future

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._urgent and not self._normal and not self._closed:
                    self._cond.wait()
                if self._urgent:
                    job = self._urgent.popleft()
                elif self._normal:
                    job = self._normal.popleft()
                else:
                    return  # closed and drained
            try:
                result = self._run(job.fn)
            except BaseException as exc:  # handed to the awaiting coroutine
                job.loop.call_soon_threadsafe(_settle, job.future, None, exc)
            else:
                job.loop.call_soon_threadsafe(_settle, job.future, result, None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()


@dataclass
class _Job:
    fn: Callable[[Session], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # the caller was cancelled meanwhile
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


Update = tuple[int, dict[str, Any]]


class GroupWriter:
    """Row updates from many concurrent sends, committed together (group commit).

    Each caller waits for the commit holding its update, so nothing is acknowledged
    before it is durable. The batch is taken by the database thread at the moment the
    transaction starts, not by a task on the event loop: an update waits only for the
    job already running (then goes out with every update queued meanwhile), never for
    a batch to fill nor for a round trip through the loop. That wait is the window in
    which a crash can forget that Telegram accepted a message, so it is kept short.
    """

    def __init__(self, db: Db, apply: Callable[[Session, list[Update]], None]):
        self.db = db
        self.apply = apply
        self._lock = threading.Lock()  # the loop appends, a database thread takes
        self._pending: list[tuple[int, dict[str, Any], asyncio.Future[None]]] = []
        self._queued = False  # a commit job is waiting for the database thread
        self._jobs: set[asyncio.Task[None]] = set()

    async def set(self, row_id: int, values: dict[str, Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._pending.append((row_id, values, future))
            submit, self._queued = not self._queued, True
        if submit:
            job = asyncio.create_task(self._commit())
            self._jobs.add(job)
            job.add_done_callback(self._jobs.discard)
        await future

    async def _commit(self) -> None:
        taken: list[tuple[int, dict[str, Any], asyncio.Future[None]]] = []

        def fn(db: Session) -> None:
            with self._lock:
                taken.extend(self._pending)
                self._pending.clear()
                self._queued = False
            self.apply(db, [(row_id, values) for row_id, values, _ in taken])

        try:
            await self.db.run(fn, urgent=True)
        except Exception as exc:
            if not taken:  # the job never ran: fail what it was meant to carry
                with self._lock:
                    taken.extend(self._pending)
                    self._pending.clear()
                    self._queued = False
            for _, _, future in taken:
                if not future.done():
                    future.set_exception(exc)
        else:
            for _, _, future in taken:
                if not future.done():
                    future.set_result(None)

    async def aclose(self) -> None:
        jobs = list(self._jobs)
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
