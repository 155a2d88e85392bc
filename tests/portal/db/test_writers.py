"""SQLite writers queued in the process (portal/db/writers.py): a transaction holds its
file's lock from its first write to its end, reads never take it, and a waiter goes on
as soon as the writer before it commits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from portal.db import writers
from portal.db.session import make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    return engine


def lock_of(engine: Engine) -> threading.Lock:
    assert engine.url.database
    return writers.lock_for(str(Path(engine.url.database).resolve()))


def test_a_transaction_holds_the_lock_from_its_first_write_to_its_commit(engine: Engine) -> None:
    lock = lock_of(engine)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
        assert not lock.locked()  # a read takes nothing
        conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert lock.locked()
        conn.execute(text("UPDATE t SET v = 'b'"))
        conn.commit()
        assert not lock.locked()
        conn.execute(text("DELETE FROM t"))
        assert lock.locked()
        conn.rollback()
        assert not lock.locked()


def test_a_failed_write_and_a_closed_connection_give_the_lock_back(engine: Engine) -> None:
    lock = lock_of(engine)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        conn.commit()
        with pytest.raises(Exception, match="UNIQUE"):
            conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        conn.rollback()
        assert not lock.locked()
    conn = engine.connect()
    conn.execute(text("INSERT INTO t (v) VALUES ('c')"))
    conn.close()  # rolled back on its way to the pool
    assert not lock.locked()
    with engine.connect() as check:
        assert check.execute(text("SELECT v FROM t ORDER BY v")).scalars().all() == ["a"]


def test_a_write_outside_a_transaction_gives_the_lock_back(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
        assert not lock_of(engine).locked()
        with pytest.raises(Exception, match="UNIQUE"):
            conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
        assert not lock_of(engine).locked()


def test_a_second_writer_goes_on_when_the_first_commits(engine: Engine) -> None:
    order: list[str] = []
    first_wrote = threading.Event()

    def second() -> None:
        first_wrote.wait()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('second')"))
            order.append("second wrote")

    thread = threading.Thread(target=second)
    thread.start()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('first')"))
        first_wrote.set()
        thread.join(timeout=0.3)  # it is waiting on the lock, not writing
        assert thread.is_alive() and order == []
        order.append("first commits")
    thread.join(timeout=10)
    assert order == ["first commits", "second wrote"]


def test_a_writer_that_waited_too_long_goes_on_to_sqlites_own_wait(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    writers.queue_writers(engine, str(tmp_path / "elsewhere.db"), 0.05)  # its timeout
    lock = lock_of(engine)
    assert lock.acquire()  # someone in the process holds it and never lets go
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE u (id INTEGER PRIMARY KEY)"))
            conn.execute(text("INSERT INTO u DEFAULT VALUES"))
    finally:
        lock.release()


def test_the_log_is_checkpointed_in_the_background_not_by_a_commit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writers, "CHECKPOINT_EVERY", 3)
    assert engine.url.database
    checkpoints = writers.checkpoints_for(str(Path(engine.url.database).resolve()))
    before = checkpoints.done
    with engine.connect() as conn:
        # SQLite's own checkpoint only for a log the thread could not keep small.
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
        conn.execute(text("SELECT count(*) FROM t"))
        conn.commit()  # a read's end: not counted
        for v in "abc":
            conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": v})
            conn.commit()
    deadline = time.monotonic() + 30
    while checkpoints.done == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpoints.done == before + 1
    with engine.connect() as conn:  # everything in the log is in the database now
        busy, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert busy == 0 and frames == copied
