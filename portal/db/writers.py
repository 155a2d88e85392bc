"""SQLite's writers queued in the process, so that a request waiting to write wakes as
soon as the one before it commits.

SQLite lets one connection write at a time; another one that tries meets a lock and its
busy handler *sleeps* before it tries again, longer each time (1, 2, 5, 10, 15, 20, 25,
25, 25, 50, 50 and then 100 ms), and no waiter is served before another. With the
portal's threads writing at once this made the slow tail: measured during
`benchmarks/dialogs.py` at 100 turns/s, 1% of the portal's statements waited over
145 ms and the longest 1.25 s, while no write transaction holds the lock for more than
a few milliseconds.

So every connection to one database file takes a process-wide lock of that file before
its transaction's first write and gives it back when the transaction ends (commit,
rollback, close). Waiters then queue on a Python lock, woken the moment it is free. The
busy handler stays for what this process does not see (another process on the same file:
a command of ``motcua``); a writer that waited ``timeout`` seconds here goes on to it
(SQLite then answers as it always did). Reads never wait here (WAL: readers do not block
a writer nor each other)."""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event

# What takes SQLite's write lock. Anything else that writes (rare, e.g. a pragma) just
# meets the busy handler as before.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def lock_for(path: str) -> threading.Lock:
    """The one lock of a database file in this process (engines on it share it)."""
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


class QueuedConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that holds its file's writer lock from its transaction's
    first write until that transaction ends. Given to ``sqlite3.connect(factory=...)``."""

    writers: threading.Lock | None = None
    holding = False
    timeout = 10.0

    def before_write(self) -> None:
        if not self.holding and self.writers is not None:
            # Not acquired within the timeout: go on; SQLite's own wait decides.
            self.holding = self.writers.acquire(timeout=self.timeout)

    def after_statement(self) -> None:
        if self.holding and not self.in_transaction:  # a write outside any transaction
            self._release()

    def _release(self) -> None:
        if self.holding:
            self.holding = False
            assert self.writers is not None
            self.writers.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            if not self.in_transaction:
                self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


def queue_writers(engine: Engine, path: str, timeout: float) -> None:
    """Make ``engine``'s connections (made with ``factory=QueuedConnection``) queue
    their writes on ``path``'s lock."""
    writers = lock_for(path)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_conn: Any, _record: Any) -> None:
        if isinstance(dbapi_conn, QueuedConnection):
            dbapi_conn.writers = writers
            dbapi_conn.timeout = timeout

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        dbapi_conn = cursor.connection
        if isinstance(dbapi_conn, QueuedConnection) and _WRITES.match(statement):
            dbapi_conn.before_write()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, cursor: Any, *_: Any) -> None:
        dbapi_conn = cursor.connection
        if isinstance(dbapi_conn, QueuedConnection):
            dbapi_conn.after_statement()

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        # A write that failed outside a transaction ends nothing later: give the lock back.
        conn = context.connection
        dbapi_conn = None if conn is None or conn.closed else conn.connection.dbapi_connection
        if isinstance(dbapi_conn, QueuedConnection):
            dbapi_conn.after_statement()
