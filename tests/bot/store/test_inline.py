"""The per-turn statements of a SQLite store run on the event loop, never waiting there:
a database locked by another connection sends the operation to a thread, where it waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.store import Store, repository
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
    monkeypatch.setattr(repository._InlineSqlite, "CHECKPOINT_EVERY", 10)
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
