from __future__ import annotations

import logging
import select
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker

from portal.db import writers

log = logging.getLogger(__name__)

# How long a SQLite writer waits for another one (in the process, then SQLite's own wait).
BUSY_WAIT = 10.0


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite (the single-process default)."""
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args: dict[str, Any] = {"check_same_thread": False}
        on_file = parsed.database if parsed.database not in (None, "", ":memory:") else None
        if on_file:
            Path(on_file).parent.mkdir(parents=True, exist_ok=True)
            connect_args["factory"] = writers.QueuedConnection
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        if on_file:  # writers queue in the process, woken at once (portal/db/writers.py)
            writers.queue_writers(engine, str(Path(on_file).resolve()), BUSY_WAIT)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers run during a write; busy_timeout waits instead of failing.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a committed
            # request survives a crash of the process (SIGKILL), but the last ones may
            # be lost with the machine's power. SQLite is the one-process default;
            # production runs PostgreSQL (README, "Running in production").
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_WAIT * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left in free pages (citizen erasure).
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    # A pooled connection that died (a PostgreSQL restart) is replaced before a request
    # uses it (_check_on_checkout, instead of pool_pre_ping's round trip on every
    # checkout), and a new connection waits out a restart (a second or two); a request
    # whose transaction the restart cut is answered 503 (database_unreachable), which
    # the bot's client retries when it may. LIFO: under a steady load the same few
    # connections stay busy (and unpinged); the rest go idle, and are pinged when
    # they next serve.
    engine = create_engine(url, pool_size=10, max_overflow=10, pool_use_lifo=True, **kwargs)
    _survive_restarts(engine)
    _check_on_checkout(engine)
    return engine


# A restart as seen from a client: the server ends the sessions (57P01), refuses new
# ones while it stops or starts (57P03), or is not listening at all.
_SERVER_GONE = ("08", "57P01", "57P02", "57P03")
_NOT_YET = ("Connection refused", "the database system is")
CONNECT_WAIT = 5.0


def _survive_restarts(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _gone(context: Any) -> None:
        # psycopg may report "terminating connection" before it marks the connection
        # broken: say it is a disconnect, so the pre-ping replaces it.
        sqlstate = getattr(context.original_exception, "sqlstate", None) or ""
        if sqlstate.startswith(_SERVER_GONE):
            context.is_disconnect = True

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        give_up = time.monotonic() + CONNECT_WAIT
        pause = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                if not any(s in str(exc) for s in _NOT_YET) or time.monotonic() >= give_up:
                    raise
                if pause == 0.05:
                    log.warning("database not accepting connections (%s); waiting", exc)
            time.sleep(pause)  # a pool thread, never the event loop
            pause = min(pause * 2, 0.5)


# A connection unused for longer than this is pinged before it serves again.
PING_AFTER_IDLE = 1.0
_IDLE_SINCE = "motcua_idle_since"


def _check_on_checkout(engine: Engine) -> None:
    """Ping a pooled connection only when it may be dead: when its socket has something
    to read, or when it sat idle for over PING_AFTER_IDLE seconds. A busy connection is
    then checked by one non-blocking poll of its socket instead of a ``SELECT 1`` round
    trip (~0.1 ms of portal and 0.03-0.07 ms of server CPU per request).

    Why this is as safe as pinging every time: an idle connection in a healthy session
    has nothing to read (the server speaks only when asked; we use no LISTEN). When
    PostgreSQL stops or restarts, every backend sends its clients a FATAL
    "terminating connection" (57P01) and closes its socket before the server is gone,
    and a killed backend's socket is closed by its kernel: either way the socket turns
    readable, which the poll sees, and the ping then fails. A restart is only complete
    once all its old backends are gone, so a connection that outlived one is always
    readable by then. What no FIN reveals (a host or a link gone silent) the idle ping
    covers as the pre-ping did. Anything readable that is not a death (a notice) costs
    one ping, nothing more."""

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None:
            return  # fresh from connect: nothing to doubt yet
        if time.monotonic() - since < PING_AFTER_IDLE and not _readable(dbapi_conn):
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as exc:
            # The server went away: this and every older pooled connection are
            # replaced (the pool retries the checkout with a new one).
            raise InvalidatePoolError(f"pooled connection failed its ping: {exc}") from exc


def _readable(dbapi_conn: Any) -> bool:
    """The connection's socket has bytes (or an end of file) waiting: a message the
    server sent unasked, such as the FATAL of a shutdown. A closed socket counts too."""
    try:
        ready, _, _ = select.select([dbapi_conn.fileno()], [], [], 0)
    except Exception:  # a closed connection: psycopg's OperationalError, or OSError
        return True
    return bool(ready)


def database_unreachable(exc: BaseException) -> bool:
    """The error is PostgreSQL gone or not accepting connections (a restart, a
    failover), not a fault of the request: worth a 503 and a retry."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    import psycopg

    return isinstance(exc.orig, psycopg.OperationalError)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
