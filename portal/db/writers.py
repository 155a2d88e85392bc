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
a writer nor each other).

The log's checkpoint (copying the WAL back into the database, with its fsyncs) is not
left to the commit that crosses SQLite's threshold, which would hold the writers' lock
meanwhile (20-45 ms measured on this VM, every few seconds under load): a thread of its
own runs a PASSIVE checkpoint, which never blocks a writer, every ``CHECKPOINT_EVERY``
commits. SQLite's own automatic checkpoint stays, at ten times its default size, for a
log that thread could not keep small."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from contextlib import closing
from typing import Any

from sqlalchemy import Engine, event

# What takes SQLite's write lock. Anything else that writes (rare, e.g. a pragma) just
# meets the busy handler as before.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)

# Commits between two checkpoints in the background; pages before SQLite's own.
CHECKPOINT_EVERY = 100
AUTOCHECKPOINT_PAGES = 10_000
IDLE_THREAD_SECONDS = 60.0

log = logging.getLogger(__name__)


class Checkpoints:
    """PASSIVE checkpoints of one database file, run by a daemon thread when asked."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.commits = 0
        self.done = 0  # checkpoints run (tests wait on it)
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def committed(self) -> None:
        with self._guard:
            self.commits += 1
            if self.commits < CHECKPOINT_EVERY:
                return
            self.commits = 0
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoints", daemon=True
                )
                self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(timeout=IDLE_THREAD_SECONDS):
                with self._guard:  # idle: end (the next ask starts another)
                    if not self._wanted.is_set():
                        self._thread = None
                        return
            self._wanted.clear()
            try:
                with closing(sqlite3.connect(self.path, timeout=1.0)) as conn:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # the next one will do it; nothing is lost
                log.warning("checkpoint of %s failed: %s", self.path, exc)
            self.done += 1


_files: dict[str, tuple[threading.Lock, Checkpoints]] = {}
_files_guard = threading.Lock()


def _file(path: str) -> tuple[threading.Lock, Checkpoints]:
    with _files_guard:
        if path not in _files:
            _files[path] = (threading.Lock(), Checkpoints(path))
        return _files[path]


def lock_for(path: str) -> threading.Lock:
    """The one writers' lock of a database file in this process (engines share it)."""
    return _file(path)[0]


def checkpoints_for(path: str) -> Checkpoints:
    return _file(path)[1]


class QueuedConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that holds its file's writer lock from its transaction's
    first write until that transaction ends. Given to ``sqlite3.connect(factory=...)``."""

    writers: threading.Lock | None = None
    checkpoints: Checkpoints | None = None
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
        wrote = self.holding
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release()
        if wrote and self.checkpoints is not None:
            self.checkpoints.committed()

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
    writers, checkpoints = _file(path)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_conn: Any, _record: Any) -> None:
        if isinstance(dbapi_conn, QueuedConnection):
            dbapi_conn.writers = writers
            dbapi_conn.checkpoints = checkpoints
            dbapi_conn.timeout = timeout
            dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")

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
