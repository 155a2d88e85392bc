from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect

from bot.store import StaleStateError, Store, downgrade, upgrade
from dialogs import State


async def test_a_new_key_has_a_fresh_state(store: Store) -> None:
    state = await store.load_state("telegram:1")
    assert state == State()
    assert state.version == 0


async def test_saved_state_comes_back_with_its_version(store: Store) -> None:
    state = State(lang="en", flow="form", procedure="birth_registration")
    state.answers["child_name"] = "Nguyễn Văn An"
    assert await store.save_state("telegram:1", state, 0) == 1
    loaded = await store.load_state("telegram:1")
    assert loaded.version == 1
    assert loaded.answers == {"child_name": "Nguyễn Văn An"}
    assert loaded.flow == "form"
    loaded.flow = "review"
    assert await store.save_state("telegram:1", loaded, loaded.version) == 2
    assert (await store.load_state("telegram:1")).flow == "review"
    # Another key is untouched.
    assert (await store.load_state("telegram:2")).version == 0


async def test_a_stale_version_is_refused(store: Store) -> None:
    await store.save_state("telegram:1", State(flow="form"), 0)
    # Two workers loaded version 1; the first one wins.
    assert await store.save_state("telegram:1", State(flow="review"), 1) == 2
    with pytest.raises(StaleStateError):
        await store.save_state("telegram:1", State(flow="menu"), 1)
    # A second "first save" of the same key is stale as well.
    with pytest.raises(StaleStateError):
        await store.save_state("telegram:1", State(flow="menu"), 0)
    assert (await store.load_state("telegram:1")).flow == "review"


async def test_an_update_is_processed_once(store: Store) -> None:
    assert await store.mark_update_processed("telegram", 100) is True
    assert await store.mark_update_processed("telegram", 100) is False
    assert await store.mark_update_processed("telegram", 101) is True
    # Update ids are per channel.
    assert await store.mark_update_processed("zalo", 100) is True


async def test_concurrent_duplicates_pass_once(store: Store) -> None:
    results = await asyncio.gather(*(store.mark_update_processed("telegram", 7) for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_chat_keeps_language_consent_and_blocked(store: Store) -> None:
    await store.save_state("telegram:5", State(lang="en"), 0)
    chat = await store.get_chat("telegram:5")
    assert chat is not None
    assert (chat.lang, chat.blocked, chat.consent_at) == ("en", False, None)
    await store.save_state("telegram:5", State(lang="en", consent=True), 1)
    consent_at = (await store.get_chat("telegram:5")).consent_at  # type: ignore[union-attr]
    assert consent_at is not None
    await store.record_blocked("telegram:5")
    chat = await store.get_chat("telegram:5")
    assert chat is not None and chat.blocked and chat.blocked_at is not None
    # Writing again means they unblocked us; the first consent time stays.
    await store.save_state("telegram:5", State(lang="vi", consent=True), 2)
    chat = await store.get_chat("telegram:5")
    assert chat is not None and not chat.blocked and chat.lang == "vi"
    assert chat.consent_at == consent_at


async def test_blocked_before_any_state(store: Store) -> None:
    await store.record_blocked("telegram:9")
    chat = await store.get_chat("telegram:9")
    assert chat is not None and chat.blocked


async def test_handoffs(store: Store) -> None:
    first = await store.add_handoff("telegram:1", "command", {"flow": "form", "field": "dob"})
    second = await store.add_handoff("telegram:2", "voice", {})
    assert second > first
    mine = await store.open_handoffs("telegram:1")
    assert [(h.reason, h.summary, h.status) for h in mine] == [
        ("command", {"flow": "form", "field": "dob"}, "open")
    ]
    assert len(await store.open_handoffs()) == 2


def test_migrations_go_down_and_up(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    upgrade(url)
    s = Store(url)
    names = set(inspect(s.engine).get_table_names())
    assert {"chats", "conversations", "processed_updates", "handoff_requests"} <= names
    assert "bot_alembic_version" in names
    downgrade(url)
    assert set(inspect(s.engine).get_table_names()) == {"bot_alembic_version"}
    upgrade(url)
    assert "conversations" in set(inspect(s.engine).get_table_names())
    s.close()


@pytest.mark.parametrize("path", ["inline", "thread"])
async def test_a_first_save_is_all_or_nothing_on_sqlite(sqlite_store: Store, path: str) -> None:
    """The first save of a conversation and the turn's other writes are one transaction:
    a later write failing leaves no conversation behind (a SAVEPOINT committed it alone on
    SQLite, and the retried turn then found the chat already greeted). On the event
    loop's connection (inline) and on the thread path's alike."""
    store = sqlite_store
    _refuse_marks(store)
    if path == "thread":
        store._inline = None
    with pytest.raises(Exception, match="no marks today"):
        await store.save_turn("telegram:9", State(greeted=True), 0, updates=[("telegram", 1)])
    assert (await store.load_state("telegram:9")).version == 0  # nothing was kept
    assert not (await store.load_turn("telegram:9", ("telegram", 1))).processed
    assert await store.get_chat("telegram:9") is None  # nor the chats row written before


def _refuse_marks(store: Store) -> None:
    """The turn's last statement (its update's mark) fails, after the save and the touch."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER no_marks BEFORE INSERT ON processed_updates"
            " BEGIN SELECT RAISE(ABORT, 'no marks today'); END"
        )


async def test_a_first_save_refused_when_the_conversation_exists(store: Store) -> None:
    assert await store.save_state("telegram:8", State(lang="en"), 0) == 1
    with pytest.raises(StaleStateError):
        await store.save_turn("telegram:8", State(lang="vi"), 0, updates=[("telegram", 2)])
    assert (await store.load_state("telegram:8")).lang == "en"
    assert not (await store.load_turn("telegram:8", ("telegram", 2))).processed
