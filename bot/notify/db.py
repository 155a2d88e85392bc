"""Database plumbing shared by the follower and the sender: an engine tuned for many
small commits, a single writer thread on SQLite, dialect-specific inserts."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.engine import make_engine

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


class Db:
    """Runs one function per transaction in worker threads (one thread on SQLite, where
    writers queue anyway and a busy wait would be slower than a queue)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._pool = ThreadPoolExecutor(
            max_workers=1 if self.dialect == "sqlite" else 8, thread_name_prefix="notify-db"
        )

    def insert(self, model: type[Any]) -> Any:
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(model)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        with self._sessions() as db:
            result = fn(db)
            db.commit()
            return result

    async def run(self, fn: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.run_sync, fn)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class GroupWriter:
    """Row updates from many concurrent sends, committed together (group commit): each
    caller waits for the commit holding its update, so nothing is acknowledged before
    it is durable, and one commit serves every update queued meanwhile."""

    def __init__(self, db: Db, apply: Callable[[Session, list[tuple[int, dict[str, Any]]]], None]):
        self.db = db
        self.apply = apply
        self._pending: list[tuple[int, dict[str, Any], asyncio.Future[None]]] = []
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def set(self, row_id: int, values: dict[str, Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row_id, values, future))
        self._kick.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        await future

    async def _run(self) -> None:
        while True:
            await self._kick.wait()
            self._kick.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            updates = [(row_id, values) for row_id, values, _ in batch]
            try:
                await self.db.run(functools.partial(self._apply_all, updates=updates))
            except Exception as exc:
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, _, future in batch:
                    if not future.done():
                        future.set_result(None)

    def _apply_all(self, db: Session, updates: list[tuple[int, dict[str, Any]]]) -> None:
        self.apply(db, updates)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
