"""A store call that meets a dropped PostgreSQL connection (a restart, a failover)
waits for the server and runs again, so the turn that made it goes on instead of
losing the citizen's message.

The engine pings a pooled connection before lending it (``pool_pre_ping``), which
covers connections that died while idle. This covers the rest: the server down when
the call starts (connection refused, "starting up"), or the connection cut under a
running transaction. Running a call again is safe when its transaction never reached
COMMIT: the server rolled it back. A connection lost *during* COMMIT leaves the outcome
in doubt (the server may have committed and died before answering; in the restart
tests the connection was reset instead: the server had ended the idle session before
the COMMIT came). It is run again too, logged as in doubt: raising would lose the
citizen's message every time. Should the first run have landed, the repeated save is
refused (the state's version moved) and the turn redone on the saved state; that redo
must find its update already processed, i.e. the update marked in the same transaction
as the save, so that the turn does not apply twice.

The per-turn operations on PostgreSQL do not come here: each is one statement in
autocommit on the event loop's own connections (``bot.store.inline_pg``), where the same
reasoning holds with the statement in place of the transaction: an idle connection the
server ended is dropped before use (its socket is readable: no ping), and one lost under
the statement is replaced and the statement run again, in doubt like a lost COMMIT,
the save and its update's mark being that one statement.

SQLite has no connection to lose: its errors are never retried here."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a call waits for the database before its error is raised: a restart takes a
# second or two; a citizen should not wait on a longer outage without an answer.
RECONNECT_WAIT = 20.0
_FIRST_DELAY = 0.05
_MAX_DELAY = 1.0

_thread = threading.local()  # the calls run in worker threads: one flag per thread


def track_commits(engine: Engine) -> None:
    """Let ``run_reconnecting`` tell (in its log) a connection lost during COMMIT from
    one lost before it, and let the pool replace a connection the server ended. Called by
    ``make_engine`` for PostgreSQL; idempotent."""
    if not event.contains(engine, "commit", _committing):
        event.listen(engine, "begin", _begun)
        event.listen(engine, "commit", _committing)
        event.listen(engine, "handle_error", _server_gone)


# A restart as seen from a client: the server ends the sessions (57P01), refuses new
# ones while it stops or starts (57P03), or the connection fails (08...).
_SERVER_GONE = ("08", "57P01", "57P02", "57P03")


def _server_gone(context: Any) -> None:
    # psycopg may report "terminating connection" before it marks the connection
    # broken: call it a disconnect, so the pre-ping replaces the connection.
    sqlstate = getattr(context.original_exception, "sqlstate", None) or ""
    if sqlstate.startswith(_SERVER_GONE):
        context.is_disconnect = True


def _begun(_conn: Any) -> None:
    _thread.committing = False


def _committing(_conn: Any) -> None:
    _thread.committing = True


def is_disconnect(exc: BaseException) -> bool:
    """The connection to PostgreSQL is gone or not to be had right now."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    import psycopg  # only PostgreSQL stores get here with a psycopg error

    # Refused, reset, "terminating connection due to administrator command",
    # "the database system is starting up / shutting down": all OperationalError.
    return isinstance(exc.orig, psycopg.OperationalError)


class _Failed(Generic[T]):
    def __init__(self, exc: DBAPIError, committing: bool) -> None:
        self.exc = exc
        self.committing = committing


def _attempt(work: Callable[[], T]) -> T | _Failed[T]:
    _thread.committing = False
    try:
        return work()
    except DBAPIError as exc:
        if not is_disconnect(exc):
            raise
        return _Failed(exc, bool(getattr(_thread, "committing", False)))


async def run_reconnecting(work: Callable[[], T], *, wait: float = RECONNECT_WAIT) -> T:
    """``asyncio.to_thread(work)``, run again while the database is unreachable (up to
    ``wait`` seconds, backing off to one try a second). ``work`` must be one or more
    whole transactions, so a run cut short left nothing behind."""
    loop = asyncio.get_running_loop()
    deadline: float | None = None
    delay = _FIRST_DELAY
    while True:
        outcome = await asyncio.to_thread(_attempt, work)
        if not isinstance(outcome, _Failed):
            return outcome
        if outcome.committing:
            log.warning("database connection lost during COMMIT (in doubt); running again")
        now = loop.time()
        if deadline is None:
            deadline = now + wait
            log.warning("database unreachable (%s); retrying for %.0f s", outcome.exc.orig, wait)
        if now >= deadline:
            raise outcome.exc
        await asyncio.sleep(delay)
        delay = min(delay * 2, _MAX_DELAY)
