"""The settings every portal connection to SQLite gets (portal.db.session)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from portal.db.session import make_engine


def test_each_sqlite_connection_is_set_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "secure_delete")
            }
    finally:
        engine.dispose()
    # synchronous 1 = NORMAL: durable against a killed process in WAL mode (see the README).
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "secure_delete": 1,
    }
