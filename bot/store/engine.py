"""Engine for the bot store: SQLite by default, PostgreSQL (psycopg 3) by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from bot.store.reconnect import track_commits


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pool_pre_ping: a connection that died while pooled (a server restart) is
        # replaced before use; calls cut mid-way are run again (bot.store.reconnect).
        # The per-turn statements skip this engine (bot.store.inline_pg).
        pg = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        track_commits(pg)
        return pg
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers run during a write; busy_timeout waits instead of failing.
        # synchronous=NORMAL in WAL mode survives a killed process (only a power cut
        # can lose the last commits) and spares an fsync per commit: several per turn.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        # Deleted rows are overwritten, not left in free pages ("delete my data").
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    return engine
