"""The bot store's operations. Each runs in one short transaction: in a worker thread,
so the event loop never waits on the database, except the per-turn ones on a SQLite
file (see ``bot.store.inline_sqlite``) and, on PostgreSQL, those that fit one statement
(see ``bot.store.inline_pg``)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    DateTime,
    Engine,
    String,
    bindparam,
    exists,
    false,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.engine import make_engine
from bot.store.erasure import ChatErasure, erase_chat
from bot.store.inline_pg import InlinePostgres, PgStatement
from bot.store.inline_sqlite import InlineSqlite, SqliteStatement
from bot.store.models import Chat, Conversation, HandoffRequest, ProcessedUpdate, utcnow
from bot.store.reconnect import run_reconnecting
from dialogs import State

log = logging.getLogger(__name__)

T = TypeVar("T")

# Where the turn in flight at a checkpoint is kept: inside the sealed state's JSON
# (sealed like the state, written by the same statement), never given to the engine.
JOURNAL = "_turn"
NO_UPDATE = ("", -1)  # matches no processed update


@dataclass(frozen=True)
class Seen:
    """What the chats row says, read with the state: the per-turn touch of that row
    is written only when it would change something."""

    lang: str
    blocked: bool
    consented: bool


@dataclass
class LoadedTurn:
    """One statement's worth: the state, the turn in flight at its last checkpoint (if a
    worker died after it), whether this update was already handled, the chats row."""

    state: State
    journal: dict[str, Any] | None
    processed: bool
    chat: Seen | None


class StaleStateError(Exception):
    """Someone else saved this conversation since it was loaded: redo the turn."""

    def __init__(self, key: str, expected: int) -> None:
        super().__init__(f"conversation {key!r} is no longer at version {expected}")
        self.key = key
        self.expected = expected


class Store:
    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = (
            make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._turn_sql = _TurnStatements(self._insert)
        self._inline: InlineSqlite | None = None
        if InlineSqlite.suits(self.engine):
            self._inline = InlineSqlite(self.engine)
            self._lite_sql = _SqliteTurnStatements(self._turn_sql, self.engine)
        self._pg: InlinePostgres | None = None
        if InlinePostgres.suits(self.engine):
            self._pg = InlinePostgres(self.engine)
            self._pg_sql = _PgTurnStatements(self._turn_sql, self.engine)

    @classmethod
    def migrated(cls, url: str) -> Store:
        """Bring the schema up to date, then open the store."""
        from bot.store.migrate import upgrade

        upgrade(url)
        return cls(url)

    def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
        if self._pg is not None:
            self._pg.close()
        self.engine.dispose()

    async def _run(self, fn: Callable[[Session], T]) -> T:
        def work() -> T:
            with self._sessions() as db:
                result = fn(db)
                db.commit()
                return result

        return await run_reconnecting(work)

    async def _run_core(
        self,
        fn: Callable[[Connection], T],
        inline: Callable[[sqlite3.Connection], T] | None = None,
        *,
        transaction: bool = False,
    ) -> T:
        """Like ``_run`` on a bare connection: the per-turn operations skip the ORM
        session, which costs more than the statement itself. On a SQLite file,
        ``inline`` (the same operation on the compiled statements, see
        ``bot.store.inline_sqlite``; ``transaction`` if it runs several statements)
        runs on the event loop, and ``fn`` in a thread if the database was locked."""
        if self._inline is not None and inline is not None:
            done, result = self._inline.run(inline, transaction=transaction)
            if done:
                return result  # type: ignore[return-value]

        def work() -> T:
            with self.engine.begin() as conn:
                return fn(conn)

        return await run_reconnecting(work)

    def _insert(self, model: type[Any]) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(model)

    # --- conversations -------------------------------------------------------------------

    async def load_state(self, key: str) -> State:
        """The stored state with its version; a fresh ``State()`` (version 0) if none."""
        return (await self.load_turn(key)).state

    async def load_turn(self, key: str, update: tuple[str, int] | None = None) -> LoadedTurn:
        """The state, its checkpoint journal, whether ``update`` (channel, id) was
        processed, and the chats row: one statement, so a turn reads once."""
        channel, update_id = update or NO_UPDATE
        params = {"key_": key, "channel_": channel, "update_id_": update_id}
        if self._pg is not None:
            row = await self._pg.fetch(self._pg_sql.load, params)
            assert row is not None  # the statement always returns its one row
            state, version, chat_lang, blocked, consented, processed = row
            return _loaded(
                self._pg_sql.open_state(state), version, chat_lang, blocked, consented, processed
            )

        def fn(conn: Connection) -> LoadedTurn:
            row = conn.execute(self._turn_sql.load, params).one()
            return _loaded(
                row.state, row.version, row.chat_lang, row.blocked, row.consented, row.processed
            )

        def inline(conn: sqlite3.Connection) -> LoadedTurn:
            load = self._lite_sql.load
            # fetchall: the statement is done with (its read snapshot let go) at once.
            ((state, version, chat_lang, blocked, consented, processed),) = conn.execute(
                load.sql, load.params(params)
            ).fetchall()
            return _loaded(
                self._lite_sql.open_state(state), version, chat_lang, blocked, consented, processed
            )

        return await self._run_core(fn, inline)

    async def save_state(self, key: str, state: State, expected_version: int) -> int:
        """Save if nobody saved since ``expected_version``; returns the new version.
        Raises StaleStateError otherwise."""
        return await self.save_turn(key, state, expected_version)

    async def save_turn(
        self,
        key: str,
        state: State,
        expected_version: int,
        *,
        journal: dict[str, Any] | None = None,
        updates: Sequence[tuple[str, int]] = (),
        chat: Seen | None = None,
    ) -> int:
        """``save_state`` in one transaction with the rest of a turn's writes: the
        ``journal`` of a checkpoint (the turn's effects still to run, its replies not
        sent yet) or, at the end of a turn, none and ``updates`` marked processed. The
        chats row is touched unless ``chat`` (as loaded) shows nothing would change."""
        new_version = expected_version + 1
        data = state.model_dump(mode="json")
        data["version"] = new_version
        if journal is not None:
            data[JOURNAL] = journal
        now = utcnow()
        waiting = bool(state.outbox)
        touch = chat is None or (
            chat.blocked or chat.lang != state.lang or chat.consented != bool(state.consent)
        )
        saved = {
            "key_": key,
            "expected_": expected_version,
            "state_": data,
            "version_": new_version,
            "now_": now,
            "waiting_": waiting,
        }
        if self._pg is not None and len(updates) <= 1:
            # One statement: the save, and only if it matched, the touch and the mark.
            channel, update_id = updates[0] if updates else NO_UPDATE
            touching = ("consent" if state.consent else "plain") if touch else "none"
            params = {**saved, "lang_": state.lang, "channel_": channel, "update_id_": update_id}
            statement = self._pg_sql.save[expected_version == 0, touching, bool(updates)]
            if await self._pg.fetch(statement, params) is None:
                raise StaleStateError(key, expected_version)
            return new_version

        def fn(conn: Connection) -> int:
            if expected_version == 0:
                # ON CONFLICT DO NOTHING, not a SAVEPOINT around a plain INSERT: pysqlite
                # opens no transaction before a SAVEPOINT, so its RELEASE committed the
                # row alone, before the turn's other writes. A write that then found the
                # database locked sent the turn to a thread, where the INSERT failed:
                # the turn was redone on a greeted state and its first replies (the
                # greeting, the language buttons) were never sent.
                if conn.execute(self._turn_sql.first, saved).first() is None:
                    raise StaleStateError(key, expected_version)
            else:
                done = conn.execute(self._turn_sql.save, saved)
                if done.rowcount != 1:
                    raise StaleStateError(key, expected_version)
            if touch:
                stmt = self._turn_sql.touch_consent if state.consent else self._turn_sql.touch
                conn.execute(stmt, {"key_": key, "lang_": state.lang, "now_": now})
            if updates:
                conn.execute(self._turn_sql.mark_only, _marks(updates, now))
            return new_version

        def inline(conn: sqlite3.Connection) -> int:
            sql = self._lite_sql
            if expected_version == 0:
                # As above: ON CONFLICT DO NOTHING; no row back, the key was taken.
                if not conn.execute(sql.first.sql, sql.first.params(saved)).fetchall():
                    raise StaleStateError(key, expected_version)
            elif conn.execute(sql.save.sql, sql.save.params(saved)).rowcount != 1:
                raise StaleStateError(key, expected_version)
            if touch:
                stmt = sql.touch_consent if state.consent else sql.touch
                conn.execute(stmt.sql, stmt.params({"key_": key, "lang_": state.lang, "now_": now}))
            if updates:
                sql.run_marks(conn, updates, now)
            return new_version

        return await self._run_core(fn, inline, transaction=True)

    async def mark_updates(self, updates: Sequence[tuple[str, int]]) -> None:
        """A turn that changed nothing still marks its update processed."""
        now = utcnow()
        if self._pg is not None and len(updates) == 1:
            await self._pg.fetch(self._pg_sql.mark_only, _mark_params(updates[0], now))
            return

        def fn(conn: Connection) -> None:
            conn.execute(self._turn_sql.mark_only, _marks(updates, now))

        def inline(conn: sqlite3.Connection) -> None:
            self._lite_sql.run_marks(conn, updates, now)

        await self._run_core(fn, inline, transaction=len(updates) > 1)

    async def waiting_chats(self) -> list[str]:
        """The chats whose state keeps portal writes for later (any worker's)."""

        def fn(conn: Connection) -> list[str]:
            query = select(Conversation.key).where(Conversation.waiting).order_by(Conversation.key)
            return list(conn.scalars(query))

        return await self._run_core(fn)

    async def erase_chat(self, key: str) -> ChatErasure:
        """Delete my data: see bot.store.erasure."""
        return await asyncio.to_thread(erase_chat, self.engine, key)

    # --- chats ---------------------------------------------------------------------------

    async def get_chat(self, key: str) -> Chat | None:
        return await self._run(lambda db: db.get(Chat, key))

    async def record_blocked(self, key: str) -> None:
        """The user blocked the bot (Telegram 403): stop writing to them."""
        now = utcnow()

        def fn(db: Session) -> None:
            stmt = self._insert(Chat).values(
                key=key, lang="vi", blocked=True, blocked_at=now, created_at=now, updated_at=now
            )
            db.execute(
                stmt.on_conflict_do_update(
                    index_elements=[Chat.key],
                    set_={"blocked": True, "blocked_at": now, "updated_at": now},
                )
            )

        await self._run(fn)

    # --- updates -------------------------------------------------------------------------

    async def mark_update_processed(self, channel: str, update_id: int) -> bool:
        """True the first time an update is seen, False for a repeat."""

        params = _mark_params((channel, update_id), utcnow())
        if self._pg is not None:
            return await self._pg.fetch(self._pg_sql.mark, params) is not None

        def fn(conn: Connection) -> bool:
            # RETURNING says whether the row went in (rowcount is unreliable here).
            return conn.execute(self._turn_sql.mark, params).first() is not None

        def inline(conn: sqlite3.Connection) -> bool:
            mark = self._lite_sql.mark
            return bool(conn.execute(mark.sql, mark.params(params)).fetchall())

        return await self._run_core(fn, inline)

    # --- handoffs ------------------------------------------------------------------------

    async def add_handoff(self, key: str, reason: str, summary: dict[str, Any]) -> int:
        def fn(db: Session) -> int:
            row = HandoffRequest(
                key=key, reason=reason, summary=summary, status="open", created_at=utcnow()
            )
            db.add(row)
            db.flush()
            return row.id

        return await self._run(fn)

    async def open_handoffs(self, key: str | None = None) -> list[HandoffRequest]:
        def fn(db: Session) -> list[HandoffRequest]:
            query = select(HandoffRequest).where(HandoffRequest.status == "open")
            if key is not None:
                query = query.where(HandoffRequest.key == key)
            return list(db.scalars(query.order_by(HandoffRequest.id)))

        return await self._run(fn)


def _loaded(
    stored: dict[str, Any] | None,
    version: int | None,
    chat_lang: str | None,
    blocked: bool | None,
    consented: bool | None,
    processed: bool | None,
) -> LoadedTurn:
    chat = None
    if chat_lang is not None:
        chat = Seen(chat_lang, bool(blocked), bool(consented))
    if stored is None:
        return LoadedTurn(State(), None, bool(processed), chat)
    data = dict(stored)
    journal = data.pop(JOURNAL, None)
    state = State.model_validate(data)
    state.version = version or 0
    return LoadedTurn(state, journal, bool(processed), chat)


def _mark_params(update: tuple[str, int], now: datetime) -> dict[str, Any]:
    return {"channel_": update[0], "update_id_": update[1], "now_": now}


def _marks(updates: Sequence[tuple[str, int]], now: datetime) -> Any:
    """One parameter set (one statement), or several (executemany) for a resumed turn."""
    params = [_mark_params(u, now) for u in updates]
    return params[0] if len(params) == 1 else params


class _TurnStatements:
    """The statements of every turn, built once with bound parameters: building and
    keying a statement costs SQLAlchemy more than running it (0.43 against 0.09 ms for
    a save, measured), and these run several times per conversation turn."""

    def __init__(self, dialect_insert: Callable[[type[Any]], Any]) -> None:
        # From a one-row table, so a chat with no state still answers: the state, the
        # chats row (left joins) and whether the update was processed, in one statement.
        one = select(literal(1).label("one")).subquery()
        processed = exists().where(
            ProcessedUpdate.channel == bindparam("channel_"),
            ProcessedUpdate.update_id == bindparam("update_id_"),
        )
        self.load = select(
            Conversation.state,
            Conversation.version,
            Chat.lang.label("chat_lang"),
            Chat.blocked,
            Chat.consent_at.is_not(None).label("consented"),
            processed.label("processed"),
        ).select_from(
            one.outerjoin(Conversation, Conversation.key == bindparam("key_")).outerjoin(
                Chat, Chat.key == bindparam("key_")
            )
        )
        self.first = (
            dialect_insert(Conversation)
            .values(
                key=bindparam("key_"),
                state=bindparam("state_", type_=Conversation.__table__.c.state.type),
                version=1,
                updated_at=bindparam("now_"),
                waiting=bindparam("waiting_"),
            )
            .on_conflict_do_nothing(index_elements=[Conversation.key])
            .returning(Conversation.key)
        )
        self.save = (
            update(Conversation)
            .where(
                Conversation.key == bindparam("key_"),
                Conversation.version == bindparam("expected_"),
            )
            .values(
                state=bindparam("state_", type_=Conversation.__table__.c.state.type),
                version=bindparam("version_"),
                updated_at=bindparam("now_"),
                waiting=bindparam("waiting_"),
            )
        )
        # A message from the user means they have not blocked the bot (any more).
        # Consent given is dated once; consent withdrawn (the user deleted their data)
        # clears it.
        self.touch = self._touch(dialect_insert, consent=False)
        self.touch_consent = self._touch(dialect_insert, consent=True)
        mark = dialect_insert(ProcessedUpdate).values(
            channel=bindparam("channel_"),
            update_id=bindparam("update_id_"),
            processed_at=bindparam("now_"),
        )
        self.mark_only = mark.on_conflict_do_nothing()
        self.mark = self.mark_only.returning(ProcessedUpdate.update_id)

    @staticmethod
    def _touch(dialect_insert: Callable[[type[Any]], Any], *, consent: bool) -> Any:
        now: BindParameter[datetime] = bindparam("now_")
        stmt = dialect_insert(Chat).values(
            key=bindparam("key_"),
            lang=bindparam("lang_"),
            blocked=False,
            blocked_at=None,
            consent_at=now if consent else None,
            created_at=now,
            updated_at=now,
        )
        consent_at = func.coalesce(Chat.consent_at, stmt.excluded.consent_at) if consent else None
        return stmt.on_conflict_do_update(
            index_elements=[Chat.key],
            set_={
                "lang": stmt.excluded.lang,
                "blocked": False,
                "updated_at": stmt.excluded.updated_at,
                "consent_at": consent_at,
            },
        )


class _SqliteTurnStatements:
    """The per-turn statements compiled once for ``InlineSqlite``: the same SQL the
    SQLAlchemy path sends, without SQLAlchemy's cost per execution."""

    def __init__(self, turn: _TurnStatements, engine: Engine) -> None:
        self.load = SqliteStatement(turn.load, engine)
        self.first = SqliteStatement(turn.first, engine)
        self.save = SqliteStatement(turn.save, engine)
        self.touch = SqliteStatement(turn.touch, engine)
        self.touch_consent = SqliteStatement(turn.touch_consent, engine)
        self.mark = SqliteStatement(turn.mark, engine)
        self.mark_only = SqliteStatement(turn.mark_only, engine)
        state_type = Conversation.__table__.c.state.type
        self._open = state_type.dialect_impl(engine.dialect).result_processor(engine.dialect, None)

    def open_state(self, stored: Any) -> Any:
        return stored if self._open is None else self._open(stored)

    def run_marks(
        self, conn: sqlite3.Connection, updates: Sequence[tuple[str, int]], now: datetime
    ) -> None:
        """One statement, or several rows (executemany) for a resumed turn."""
        mark = self.mark_only
        if len(updates) == 1:
            conn.execute(mark.sql, mark.params(_mark_params(updates[0], now)))
        else:
            conn.executemany(mark.sql, [mark.params(_mark_params(u, now)) for u in updates])


class _PgTurnStatements:
    """The per-turn operations on PostgreSQL as one statement each, compiled once for
    ``InlinePostgres``. A save (with at most one update) is a versioned
    ``UPDATE ... RETURNING`` (the first one an ``INSERT ... ON CONFLICT DO NOTHING
    RETURNING``) whose row feeds the chats touch and the processed mark (data-modifying
    CTEs selecting FROM it): a stale save touches and marks nothing, and the statement's
    one row says the save matched."""

    def __init__(self, turn: _TurnStatements, engine: Engine) -> None:
        self.load = PgStatement(turn.load, engine)
        self.mark = PgStatement(turn.mark, engine)
        self.mark_only = PgStatement(turn.mark_only, engine)
        state_type = Conversation.__table__.c.state.type
        self._open = state_type.dialect_impl(engine.dialect).result_processor(engine.dialect, None)
        self.save = {
            (first, touching, marking): PgStatement(self._save(first, touching, marking), engine)
            for first in (False, True)
            for touching in ("none", "plain", "consent")
            for marking in (False, True)
        }

    def open_state(self, stored: Any) -> Any:
        return stored if self._open is None else self._open(stored)

    @staticmethod
    def _save(first: bool, touching: str, marking: bool) -> Any:
        state = bindparam("state_", type_=Conversation.__table__.c.state.type)
        now = bindparam("now_", type_=DateTime(timezone=True))
        if first:
            # Someone else's first save (the key taken) refuses this one, as the
            # IntegrityError does on the transaction path.
            new = postgresql.insert(Conversation).values(
                key=bindparam("key_"),
                state=state,
                version=bindparam("version_"),
                updated_at=now,
                waiting=bindparam("waiting_"),
            )
            saved = (
                new.on_conflict_do_nothing(index_elements=[Conversation.key])
                .returning(Conversation.key)
                .cte("saved")
            )
        else:
            saved = (
                update(Conversation)
                .where(
                    Conversation.key == bindparam("key_"),
                    Conversation.version == bindparam("expected_"),
                )
                .values(
                    state=state,
                    version=bindparam("version_"),
                    updated_at=now,
                    waiting=bindparam("waiting_"),
                )
                .returning(Conversation.key)
                .cte("saved")
            )
        query = select(saved.c.key)
        if touching != "none":
            # As _TurnStatements._touch: unblocked, consent dated once (or cleared).
            consent = touching == "consent"
            rows = select(
                saved.c.key,
                bindparam("lang_", type_=String),
                false(),
                null(),
                now if consent else null(),
                now,
                now,
            )
            touch = postgresql.insert(Chat).from_select(
                ["key", "lang", "blocked", "blocked_at", "consent_at", "created_at", "updated_at"],
                rows,
            )
            consent_at = (
                func.coalesce(Chat.consent_at, touch.excluded.consent_at) if consent else None
            )
            query = query.add_cte(
                touch.on_conflict_do_update(
                    index_elements=[Chat.key],
                    set_={
                        "lang": touch.excluded.lang,
                        "blocked": False,
                        "updated_at": touch.excluded.updated_at,
                        "consent_at": consent_at,
                    },
                ).cte("touched")
            )
        if marking:
            mark = postgresql.insert(ProcessedUpdate).from_select(
                ["channel", "update_id", "processed_at"],
                select(
                    bindparam("channel_", type_=String),
                    bindparam("update_id_", type_=BigInteger),
                    now,
                ).select_from(saved),
            )
            query = query.add_cte(mark.on_conflict_do_nothing().cte("marked"))
        return query
