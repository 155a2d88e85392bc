"""The per-turn statements of a SQLite store run on the event loop, never waiting there:
a database locked by another connection sends the operation to a thread, where it waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.store import StaleStateError, Store, repository
from bot.store.inline_sqlite import InlineSqlite
from dialogs import State


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def file_store(db_path: Path) -> Store:
    s = Store.migrated(f"sqlite:///{db_path}")
    yield s  # type: ignore[misc]
    s.close()


async def test_a_locked_database_is_waited_for_in_a_thread(
    file_store: Store, db_path: Path
) -> None:
    await file_store.save_state("telegram:1", State(flow="form"), 0)
    other = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    released = threading.Event()

    def release() -> None:
        other.execute("COMMIT")
        released.set()

    asyncio.get_running_loop().call_later(0.3, release)
    # The loop stays free while the save waits (the timer above must get to run).
    assert await file_store.save_state("telegram:1", State(flow="review"), 1) == 2
    assert released.is_set()
    assert (await file_store.load_state("telegram:1")).flow == "review"
    other.close()


async def test_the_turn_statements_run_without_a_thread(
    file_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_thread(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("sent to a thread")

    monkeypatch.setattr(repository, "run_reconnecting", no_thread)
    assert await file_store.mark_update_processed("telegram", 1) is True
    version = await file_store.save_turn("telegram:2", State(), 0, updates=[("telegram", 2)])
    loaded = await file_store.load_turn("telegram:2", ("telegram", 2))
    assert (loaded.state.version, loaded.processed) == (version, True)


async def test_the_log_is_checkpointed_in_a_thread(
    file_store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(InlineSqlite, "CHECKPOINT_EVERY", 10)
    state = State(flow="form")
    state.answers["note"] = "x" * 3000  # a few pages per save
    version = 0
    for _ in range(300):
        version = await file_store.save_state("telegram:3", state, version)
        inline = file_store._inline
        assert inline is not None
        if inline.checkpoint is not None:
            await inline.checkpoint
    # Without checkpoints the log would hold every save (more than 2 MB); with them it
    # starts again from its beginning every ten.
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size < 1_000_000


class _LockedAt:
    """The inline connection, but a statement touching ``table`` finds the database
    locked (as if another connection had taken it between two statements)."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        self.conn = conn
        self.table = table
        self.tripped = 0

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        if self.table in sql:
            self.tripped += 1
            raise sqlite3.OperationalError("database is locked")
        return self.conn.execute(sql, params)

    def __getattr__(self, name: str) -> object:
        return getattr(self.conn, name)


def _inline(store: Store) -> InlineSqlite:
    assert store._inline is not None
    return store._inline


def _rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_database_locked_mid_save_leaves_nothing_and_the_turn_ends_in_a_thread(
    file_store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await file_store.save_state("telegram:4", State(lang="en"), 0)
    inline = _inline(file_store)
    real = inline._connection()
    locked = _LockedAt(real, "processed_updates")  # the save and the touch went through
    inline.conn = locked  # type: ignore[assignment]
    seen: list[tuple[int, int, int]] = []
    run_reconnecting = repository.run_reconnecting

    async def in_thread(work: Callable[[], object]) -> object:
        # What the inline attempt left: no new version, no touch, no mark.
        seen.append(
            _rows(
                db_path,
                "SELECT version, (SELECT count(*) FROM processed_updates),"
                " (SELECT count(*) FROM chats WHERE lang = 'vi') FROM conversations",
            )[0]
        )
        assert not real.in_transaction  # rolled back
        return await run_reconnecting(work)

    monkeypatch.setattr(repository, "run_reconnecting", in_thread)
    state = State(lang="vi", flow="form")
    version = await file_store.save_turn("telegram:4", state, 1, updates=[("telegram", 40)])
    assert (locked.tripped, seen) == (1, [(1, 0, 0)])
    assert version == 2
    locked.table = "no such table"  # the lock let go
    loaded = await file_store.load_turn("telegram:4", ("telegram", 40))
    assert (loaded.state.flow, loaded.state.version, loaded.processed) == ("form", 2, True)
    assert loaded.chat is not None and loaded.chat.lang == "vi"
    # The connection was kept: the load ran inline on it.
    assert inline.conn is locked and len(seen) == 1


async def test_a_failure_between_statements_leaves_nothing(
    file_store: Store, db_path: Path
) -> None:
    await file_store.save_state("telegram:5", State(lang="en"), 0)
    with file_store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER no_marks BEFORE INSERT ON processed_updates"
            " BEGIN SELECT RAISE(ABORT, 'no marks today'); END"
        )
    with pytest.raises(IntegrityError, match="no marks today"):  # as SQLAlchemy raised it
        await file_store.save_turn("telegram:5", State(lang="vi"), 1, updates=[("telegram", 50)])
    assert _rows(db_path, "SELECT version FROM conversations") == [(1,)]
    assert _rows(db_path, "SELECT lang FROM chats") == [("en",)]
    assert _rows(db_path, "SELECT * FROM processed_updates") == []
    # Rolled back, the connection stays in use.
    inline = _inline(file_store)
    assert inline.conn is not None and not inline.conn.in_transaction
    assert await file_store.save_turn("telegram:5", State(lang="vi"), 1) == 2
    assert _rows(db_path, "SELECT version FROM conversations") == [(2,)]


async def test_a_stale_save_touches_and_marks_nothing(file_store: Store, db_path: Path) -> None:
    await file_store.save_state("telegram:6", State(lang="en"), 0)
    assert await file_store.save_turn("telegram:6", State(lang="en", flow="form"), 1) == 2
    with pytest.raises(StaleStateError):
        await file_store.save_turn(
            "telegram:6", State(lang="vi", consent=True), 1, updates=[("telegram", 60)]
        )
    with pytest.raises(StaleStateError):  # a second first save of the key, likewise
        await file_store.save_turn("telegram:6", State(lang="vi"), 0, updates=[("telegram", 61)])
    assert _rows(db_path, "SELECT lang, consent_at FROM chats") == [("en", None)]
    assert _rows(db_path, "SELECT * FROM processed_updates") == []
    loaded = await file_store.load_turn("telegram:6")
    assert (loaded.state.flow, loaded.state.version) == ("form", 2)


async def test_the_inline_path_writes_what_the_sqlalchemy_path_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written from the compiled statements (dates, booleans, the sealed state) are
    those the SQLAlchemy statements write, and read back alike."""
    now = datetime(2026, 12, 1, 7, 8, 9, 123456, tzinfo=UTC)
    monkeypatch.setattr(repository, "utcnow", lambda: now)
    tables: dict[str, list[list[tuple[object, ...]]]] = {}
    loads = {}
    for path in ("inline", "thread"):
        db = tmp_path / f"{path}.sqlite3"
        store = Store.migrated(f"sqlite:///{db}")
        if path == "thread":
            store._inline = None
        state = State(lang="en", consent=True, flow="form")
        state.answers["name"] = "Nguyễn Văn A"
        await store.record_blocked("telegram:7")
        await store.save_turn("telegram:7", state, 0, updates=[("telegram", 70)])
        state.outbox.append({"op": "submit"})  # type: ignore[arg-type]
        await store.save_turn(
            "telegram:7", state, 1, journal={"effects": [1]}, updates=[("telegram", 71)]
        )
        assert await store.mark_update_processed("telegram", 72)
        assert not await store.mark_update_processed("telegram", 72)
        await store.mark_updates([("zalo", 1), ("zalo", 2)])
        loads[path] = await store.load_turn("telegram:7", ("telegram", 71))
        assert await store.waiting_chats() == ["telegram:7"]
        store.close()
        tables[path] = [
            _rows(db, "SELECT key, version, updated_at, waiting FROM conversations"),
            _rows(db, "SELECT * FROM chats"),
            _rows(db, "SELECT * FROM processed_updates ORDER BY channel, update_id"),
        ]
        [(token,)] = _rows(db, "SELECT state FROM conversations")
        assert isinstance(token, str) and "form" not in token  # sealed at rest
    assert tables["inline"] == tables["thread"]
    assert loads["inline"] == loads["thread"]
    assert loads["inline"].journal == {"effects": [1]}


async def test_the_pool_keeps_its_settings(file_store: Store) -> None:
    """The inline connection's own settings (no waiting, autocommit) never reach a
    connection of the pool, which the thread path uses."""
    await file_store.save_state("telegram:8", State(), 0)
    with file_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection) and raw.isolation_level is not None
    inline = _inline(file_store).conn
    assert inline is not None and inline.isolation_level is None
    file_store.close()
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the store
        inline.execute("SELECT 1")


async def test_an_operational_error_drops_the_connection(file_store: Store, db_path: Path) -> None:
    await file_store.save_state("telegram:9", State(lang="en"), 0)
    with file_store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER lost AFTER INSERT ON processed_updates"
            " BEGIN INSERT INTO no_such_table VALUES (1); END"
        )
    inline = _inline(file_store)
    first = inline.conn
    with pytest.raises(OperationalError, match="no_such_table"):
        await file_store.save_turn("telegram:9", State(lang="vi"), 1, updates=[("telegram", 90)])
    assert inline.conn is None  # not lent again: a new one is opened for what follows
    assert first is not None
    with pytest.raises(sqlite3.ProgrammingError):  # closed, its transaction with it
        first.execute("SELECT 1")
    assert _rows(db_path, "SELECT version FROM conversations") == [(1,)]
    assert _rows(db_path, "SELECT * FROM processed_updates") == []
    assert await file_store.save_turn("telegram:9", State(lang="vi"), 1) == 2
    assert inline.conn is not None and inline.conn is not first
