"""One feed follower at a time among notifier processes sharing a PostgreSQL database.

Every process sends (the sender's claims are safe side by side), but only the one
holding a PostgreSQL advisory lock follows the feed and fires reminders. The lock is
held by a connection of its own, outside the pool: when the leader dies, PostgreSQL
ends its session and frees the lock, and a standby, which asks again every `retry`
seconds, takes over. A leader checks its connection every `check` seconds and steps
down when it is gone (the lock went with it).

The lock saves work; it is not what keeps messages single: the follower moves the
cursor under a row lock and checks it did not move, and the outbox's unique
(event, chat, kind) drops a row written twice, so two followers overlapping for a
moment (a leader that has not yet noticed its connection died) double nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

Job = Callable[[], Coroutine[Any, Any, None]]


def application_name(worker: str) -> str:
    """The leader connection's name in pg_stat_activity (operators and tests find the
    leading process by it)."""
    return f"motcua-notify-leader:{os.getpid()}:{worker}"[:63]


class Leadership:
    def __init__(
        self,
        engine: Engine,
        name: str,
        worker: str,
        *,
        retry: float = 1.0,
        check: float = 2.0,
    ) -> None:
        # NullPool: the connection holding the lock is never handed to anyone else.
        self._engine = create_engine(engine.url, poolclass=NullPool)
        self.key = f"motcua.notify.follower:{name}"
        self.worker = worker
        self.retry = retry
        self.check = check
        self.leading = False

    def _try(self) -> Any | None:
        conn = self._engine.connect()
        try:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": self.key}
            ).scalar_one()
            if got:
                conn.execute(
                    text("SELECT set_config('application_name', :name, false)"),
                    {"name": application_name(self.worker)},
                )
                return conn
        except Exception:
            conn.close()
            raise
        conn.close()
        return None

    @staticmethod
    def _alive(conn: Any) -> bool:
        conn.execute(text("SELECT 1"))
        return True

    @staticmethod
    def _close(conn: Any) -> None:
        # Closing the session frees the lock (an explicit unlock would need a live one).
        conn.invalidate()
        conn.close()

    async def run(self, job: Job) -> None:
        """Run `job` whenever this process holds the lock; until cancelled."""
        while True:
            try:
                conn = await asyncio.to_thread(self._try)
            except Exception as exc:  # the database is down: ask again later
                log.warning("notifier leadership: %s", exc)
                conn = None
            if conn is None:
                await asyncio.sleep(self.retry)
                continue
            log.info("notifier: this process follows the feed (%s)", self.worker)
            self.leading = True
            task = asyncio.create_task(job(), name="notify-leader-job")
            try:
                await self._hold(conn, task)
            finally:
                self.leading = False
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await asyncio.to_thread(self._close, conn)
            log.warning("notifier: lost the feed's lock; standing by")

    async def _hold(self, conn: Any, task: asyncio.Task[None]) -> None:
        while True:
            await asyncio.wait({task}, timeout=self.check)
            if task.done():
                task.result()  # a job that ended by itself: its error surfaces here
                return
            try:
                await asyncio.wait_for(asyncio.to_thread(self._alive, conn), self.check)
            except Exception as exc:
                log.warning("notifier leadership: connection lost: %s", exc)
                return
