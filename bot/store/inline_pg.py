"""The per-turn statements on PostgreSQL, run on the event loop itself.

Through the engine each of them cost a hand-off to a worker thread and back, a pool
checkout with its ping (``SELECT 1``, a round trip), ``BEGIN`` and ``COMMIT`` (two more):
more CPU, in the bot and in the server, than the statement. Here each per-turn
operation is ONE statement (the save, the chats touch and the processed marks as
data-modifying CTEs of one statement), compiled once from the SQLAlchemy statements and
sent on an asyncio psycopg connection in autocommit, where a single statement is its
own transaction. The state column's sealing (``SealedJson``) is applied by its own
bind and result processors, so the state stays sealed at rest.

No ping: an idle connection the server ended (a restart, ``pg_terminate_backend``) has
the server's goodbye or the end of the stream waiting on its socket, which a poll with
no timeout sees for a system call instead of a round trip; such a connection is dropped
before use. A connection lost under a statement (it died after the poll) is dropped
and the statement sent again on a new one, waiting for the server as
``bot.store.reconnect`` does. Sent again even though it may have landed (in doubt, like
a connection lost during COMMIT, and logged as such): a save that landed is refused the
second time by the version check, and the turn redone on the saved state finds its
update processed, marked by the same statement."""

from __future__ import annotations

import asyncio
import logging
import select
from collections.abc import Callable, Mapping
from typing import Any, cast

import psycopg
from sqlalchemy import Engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from bot.store.reconnect import _FIRST_DELAY, _MAX_DELAY, RECONNECT_WAIT

# The store's reconnection log, whichever path met the outage.
log = logging.getLogger("bot.store.reconnect")

Row = tuple[Any, ...]


class PgStatement:
    """A statement compiled once for psycopg (named parameters), with the parameters it
    fixes itself and the bind processors of its typed parameters (the sealed state)."""

    def __init__(self, stmt: ClauseElement, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
        self.sql = str(compiled)
        self.defaults: dict[str, Any] = {}
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for bind, name in compiled.bind_names.items():
            if not bind.required:
                self.defaults[name] = bind.effective_value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        params = {**self.defaults, **given}
        for name, processor in self.processors.items():
            params[name] = processor(params[name])
        return params


class InlinePostgres:
    """A few autocommit asyncio connections for the per-turn statements."""

    SIZE = 4  # statements of a fraction of a millisecond: a few connections suffice

    def __init__(self, engine: Engine) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._cargs = cargs
        self._cparams = dict(cparams)
        self._idle: list[psycopg.AsyncConnection[Row]] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @staticmethod
    def suits(engine: Engine) -> bool:
        return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"

    async def fetch(self, statement: PgStatement, given: Mapping[str, Any]) -> Row | None:
        """Run ``statement`` (in its own transaction); its first row, if it returns rows.
        A lost connection is replaced and the statement run again, for up to
        ``RECONNECT_WAIT`` seconds of the server being unreachable."""
        params = statement.params(given)
        slots = self._slots_here()
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        delay = _FIRST_DELAY
        async with slots:
            while True:
                try:
                    conn = await self._take()
                except psycopg.OperationalError as exc:  # refused, starting up...
                    failure: psycopg.OperationalError = exc
                else:
                    try:
                        cur = await conn.execute(statement.sql, params)
                        row = await cur.fetchone() if cur.description is not None else None
                    except psycopg.OperationalError as exc:
                        if conn.broken:  # the statement may have landed: see above
                            log.warning("database connection lost under a statement (in doubt)")
                        _finish(conn)
                        failure = exc
                    except BaseException:
                        # Cancelled mid-statement, or an error: only an idle connection
                        # is lent again.
                        self._give(conn)
                        raise
                    else:
                        self._give(conn)
                        return row
                now = loop.time()
                if deadline is None:
                    deadline = now + RECONNECT_WAIT
                    log.warning(
                        "database unreachable (%s); retrying for %.0f s", failure, RECONNECT_WAIT
                    )
                if now >= deadline:
                    raise failure
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_DELAY)

    def _slots_here(self) -> asyncio.Semaphore:
        # Connections and the semaphore belong to one event loop (the CLI's helpers run
        # several loops one after the other): a new loop starts afresh.
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self.close()
            self._slots = asyncio.Semaphore(self.SIZE)
            self._loop = loop
        return self._slots

    async def _take(self) -> psycopg.AsyncConnection[Row]:
        while self._idle:
            conn = self._idle.pop()
            if _alive(conn):
                return conn
            _finish(conn)
        return await psycopg.AsyncConnection.connect(*self._cargs, autocommit=True, **self._cparams)

    def _give(self, conn: psycopg.AsyncConnection[Row]) -> None:
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            self._idle.append(conn)
        else:
            _finish(conn)

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            _finish(conn)


def _alive(conn: psycopg.AsyncConnection[Row]) -> bool:
    """An idle connection has nothing to read: something waiting there is the server
    ending the session (or the stream's end), found without a round trip."""
    if conn.closed:
        return False
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return False
    return not readable


def _finish(conn: psycopg.AsyncConnection[Row]) -> None:
    # Synchronous on purpose: also on the way out of a cancelled call.
    try:
        conn.pgconn.finish()
    except Exception:  # pragma: no cover - closing a broken connection
        log.debug("closing a store connection failed", exc_info=True)
