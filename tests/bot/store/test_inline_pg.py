"""The per-turn statements on PostgreSQL: one statement each on the event loop's own
connections (bot.store.inline_pg), with the guarantees of the transactions they replace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.store import Seen, StaleStateError, Store, repository
from bot.store.sealed import sealer
from dialogs import State
from tests.bot.conftest import BotPostgres


@pytest.fixture
async def pg(request: pytest.FixtureRequest) -> BotPostgres:
    db: BotPostgres | None = request.getfixturevalue("_bot_postgres")
    if db is None:
        pytest.skip("no PostgreSQL server reachable")
    db.truncate()
    return db


@pytest.fixture
async def pg_store(pg: BotPostgres) -> AsyncIterator[Store]:
    s = Store(pg.url)
    yield s
    s.close()


async def _refuse(*_args: object, **_kwargs: object) -> object:
    raise AssertionError("sent to a thread")


def _rows(pg: BotPostgres, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(pg.url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


async def test_the_turn_statements_run_without_a_thread(pg_store: Store) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(repository, "run_reconnecting", _refuse)
        assert await pg_store.save_turn("telegram:1", State(lang="en"), 0) == 1
        assert await pg_store.mark_update_processed("telegram", 1) is True
        assert await pg_store.mark_update_processed("telegram", 1) is False
        loaded = await pg_store.load_turn("telegram:1", ("telegram", 2))
        assert (loaded.state.version, loaded.processed, loaded.chat) == (
            1,
            False,
            Seen("en", False, False),
        )
        version = await pg_store.save_turn(
            "telegram:1", State(lang="vi", consent=True), 1, updates=[("telegram", 2)]
        )
        await pg_store.mark_updates([("telegram", 3)])
        loaded = await pg_store.load_turn("telegram:1", ("telegram", 2))
        assert (loaded.state.version, loaded.processed, loaded.chat) == (
            version,
            True,
            Seen("vi", False, True),
        )
        assert (await pg_store.load_turn("telegram:1", ("telegram", 3))).processed


async def test_a_stale_save_marks_and_touches_nothing(pg_store: Store, pg: BotPostgres) -> None:
    await pg_store.save_state("telegram:2", State(lang="en"), 0)
    assert await pg_store.save_turn("telegram:2", State(lang="en", flow="form"), 1) == 2
    with pytest.raises(StaleStateError):
        await pg_store.save_turn(
            "telegram:2",
            State(lang="vi", consent=True, flow="menu"),
            1,
            updates=[("telegram", 20)],
            chat=None,  # would touch the chats row
        )
    assert _rows(pg, "SELECT channel, update_id FROM processed_updates") == []
    assert _rows(pg, "SELECT lang, consent_at FROM chats WHERE key = 'telegram:2'") == [
        ("en", None)
    ]
    loaded = await pg_store.load_turn("telegram:2", ("telegram", 20))
    assert (loaded.state.flow, loaded.state.version, loaded.processed) == ("form", 2, False)
    # A second "first save" of the key, likewise.
    with pytest.raises(StaleStateError):
        await pg_store.save_turn("telegram:2", State(lang="vi"), 0, updates=[("telegram", 21)])
    assert _rows(pg, "SELECT channel, update_id FROM processed_updates") == []
    assert _rows(pg, "SELECT lang, version FROM chats JOIN conversations USING (key)") == [
        ("en", 2)
    ]


async def test_a_save_unblocks_and_dates_consent_once(pg_store: Store, pg: BotPostgres) -> None:
    await pg_store.save_state("telegram:3", State(), 0)
    await pg_store.record_blocked("telegram:3")
    await pg_store.save_turn("telegram:3", State(consent=True), 1)
    [(blocked, consent_at)] = _rows(
        pg, "SELECT blocked, consent_at FROM chats WHERE key = 'telegram:3'"
    )
    assert not blocked and consent_at is not None
    await pg_store.save_turn("telegram:3", State(lang="en", consent=True), 2)
    assert _rows(pg, "SELECT lang, consent_at FROM chats WHERE key = 'telegram:3'") == [
        ("en", consent_at)
    ]
    # Consent withdrawn (the user deleted their data) clears it.
    await pg_store.save_turn("telegram:3", State(lang="en"), 3)
    assert _rows(pg, "SELECT consent_at FROM chats WHERE key = 'telegram:3'") == [(None,)]


async def test_the_state_is_sealed_at_rest(pg_store: Store, pg: BotPostgres) -> None:
    state = State(flow="form")
    state.answers["child_name"] = "Nguyễn Văn An"
    await pg_store.save_state("telegram:4", state, 0)
    state.answers["child_name"] = "Trần Thị Bình"
    await pg_store.save_turn("telegram:4", state, 1, journal={"effects": ["submit"]})
    [(raw,)] = _rows(pg, "SELECT state FROM conversations WHERE key = 'telegram:4'")
    assert isinstance(raw, str) and "Bình" not in raw and "child_name" not in raw
    opened = sealer().open_json(raw)
    assert opened["answers"] == {"child_name": "Trần Thị Bình"}
    loaded = await pg_store.load_turn("telegram:4")
    assert loaded.state.answers == {"child_name": "Trần Thị Bình"}
    assert loaded.journal == {"effects": ["submit"]}


async def test_a_terminated_connection_is_replaced(pg_store: Store, pg: BotPostgres) -> None:
    await pg_store.save_state("telegram:5", State(flow="form"), 0)
    loaded = await pg_store.load_turn("telegram:5", ("telegram", 50))
    # Between two turns the server ends every session of the store (a restart, an
    # administrator): the next turn goes on, on a new connection, and not in a thread.
    ended = _rows(
        pg,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{pg.name}' AND pid <> pg_backend_pid()",
    )
    assert ended and all(ok for (ok,) in ended)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(repository, "run_reconnecting", _refuse)
        loaded.state.flow = "review"
        version = await pg_store.save_turn(
            "telegram:5", loaded.state, loaded.state.version, updates=[("telegram", 50)]
        )
        again = await pg_store.load_turn("telegram:5", ("telegram", 50))
    assert (again.state.flow, again.state.version, again.processed) == ("review", version, True)


async def test_a_statement_cut_mid_way_runs_again(pg_store: Store, pg: BotPostgres) -> None:
    """The connection dies under the statement (after the idle check): it is sent again
    on a new connection."""
    await pg_store.save_state("telegram:6", State(), 0)
    inline = pg_store._pg
    assert inline is not None
    await pg_store.load_turn("telegram:6")  # one idle connection now
    [conn] = inline._idle
    pid = conn.info.backend_pid
    with psycopg.connect(pg.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The idle check would see the goodbye: pretend it came too late for it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("bot.store.inline_pg._alive", lambda _conn: True)
        assert await pg_store.mark_update_processed("telegram", 60) is True
    assert inline._idle and inline._idle[0].info.backend_pid != pid
