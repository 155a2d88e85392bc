"""The per-turn statements on a SQLite file, run on the event loop itself.

They take tens of microseconds, less than handing them to a worker thread and back
(the hand-off cost more CPU than the statements, measured with py-spy). Through a
SQLAlchemy ``Connection`` each statement still cost more in SQLAlchemy (the execution
context, the parameters built, the result wrapped) than in SQLite: here they are
compiled once from the SQLAlchemy statements (``SqliteStatement``) and run on a
``sqlite3`` connection of the engine's own (its ``connect`` listeners ran: WAL,
``synchronous=NORMAL``, ``secure_delete``), the state column's sealing applied by its
own bind and result processors, as ``bot.store.inline_pg`` does on PostgreSQL.

Waiting on the event loop is what the thread avoids, so this connection never waits:
its ``busy_timeout`` is 0, and an operation that finds the database locked by another
connection (a thread's, another process's: the notifier, a reseal) rolls back and runs
in a thread as before, waiting there. The connection is in autocommit
(``isolation_level=None``): pysqlite's implicit transactions (a ``BEGIN`` before DML
only, none before a ``SAVEPOINT``) are what once committed a first save alone, so an
operation of several statements says ``BEGIN IMMEDIATE`` and ``COMMIT`` itself, and one
of a single statement is its own transaction. Commits do not fsync (WAL,
``synchronous=NORMAL``); the WAL checkpoint, which does, is not run by this connection
(``wal_autocheckpoint=0``) but in a thread every ``CHECKPOINT_EVERY`` operations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

log = logging.getLogger(__name__)

T = TypeVar("T")


class SqliteStatement:
    """A statement compiled once for pysqlite (``?`` parameters, in ``order``), with
    the values it fixes itself and the bind processors of its typed parameters (the
    sealed state, dates as SQLAlchemy writes them, booleans)."""

    def __init__(self, stmt: ClauseElement, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
        assert compiled.positiontup is not None  # pysqlite's paramstyle is qmark
        self.sql = str(compiled)
        self.order = tuple(compiled.positiontup)
        self.fixed: dict[str, Any] = {}
        given: dict[str, Callable[[Any], Any] | None] = {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                given[name] = processor
            else:
                value = bind.effective_value
                self.fixed[name] = value if processor is None else processor(value)
        self.given = tuple(given.items())

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        bound = self.fixed.copy()
        for name, processor in self.given:
            value = values[name]
            bound[name] = value if processor is None else processor(value)
        return tuple([bound[name] for name in self.order])


class InlineSqlite:
    """One ``sqlite3`` connection for the per-turn operations, used on the loop only."""

    CHECKPOINT_EVERY = 256  # operations; a few pages each, SQLite's default is 1000 pages

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: sqlite3.Connection | None = None
        self.commits = 0
        self.checkpoint: asyncio.Task[None] | None = None

    @staticmethod
    def suits(engine: Engine) -> bool:
        # A file shared through a pool: ":memory:" (a database per connection, or one
        # connection for all) keeps the thread hop.
        database = engine.url.database
        return (
            engine.dialect.name == "sqlite"
            and isinstance(engine.pool, QueuePool)
            and bool(database)
            and database != ":memory:"
            and not str(database).startswith("file::memory:")
        )

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            # Through the pool, so that the engine's connect listeners set it up, then
            # detached from it: its settings below must never reach a pooled connection.
            pooled = self.engine.raw_connection()
            pooled.detach()
            conn = cast(sqlite3.Connection, pooled.dbapi_connection)
            try:
                conn.rollback()
                conn.isolation_level = None
                conn.execute("PRAGMA busy_timeout=0")
                conn.execute("PRAGMA wal_autocheckpoint=0")
            except BaseException:
                conn.close()
                raise
            self.conn = conn
        return self.conn

    def run(
        self, fn: Callable[[sqlite3.Connection], T], *, transaction: bool
    ) -> tuple[bool, T | None]:
        """(True, result), or (False, None) when the database was locked: nothing was
        written and the caller runs the operation again in a thread. ``transaction``:
        ``fn`` runs several statements, to be committed together or not at all."""
        conn = self._connection()
        try:
            if transaction:
                # IMMEDIATE: a database locked by another writer is found here, before
                # any statement ran.
                conn.execute("BEGIN IMMEDIATE")
            result = fn(conn)
            if transaction:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                self._discard()
                raise _wrapped(exc) from exc
            self._rollback(conn)
            return False, None
        except sqlite3.Error as exc:  # a constraint, a misuse: the connection is sound
            self._rollback(conn)
            raise _wrapped(exc) from exc
        except BaseException:  # the operation refused (a stale save), or worse
            self._rollback(conn)
            raise
        self.commits += 1
        if self.commits >= self.CHECKPOINT_EVERY and self.checkpoint is None:
            self.commits = 0
            self.checkpoint = asyncio.get_running_loop().create_task(self._checkpoint())
        return True, result

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if self.conn is not conn or not conn.in_transaction:
            return
        try:
            conn.execute("ROLLBACK")
        except Exception:
            log.warning("rolling back the inline connection failed", exc_info=True)
            self._discard()

    async def _checkpoint(self) -> None:
        def work() -> None:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

        try:
            await asyncio.to_thread(work)
        except Exception as exc:  # the next one will do it; nothing is lost meanwhile
            log.warning("bot store checkpoint failed: %s", exc)
        finally:
            self.checkpoint = None

    def _discard(self) -> None:
        # Closing rolls back whatever the connection still had in progress.
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # pragma: no cover - closing a broken connection
                log.debug("closing the inline connection failed", exc_info=True)

    def close(self) -> None:
        self._discard()


def is_busy(exc: sqlite3.Error) -> bool:
    """The database is locked by another connection (SQLITE_BUSY or SQLITE_LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _wrapped(exc: sqlite3.Error) -> BaseException:
    # The error as the SQLAlchemy path raised it (sqlalchemy.exc.IntegrityError...).
    return DBAPIError.instance(None, None, exc, sqlite3.Error)
