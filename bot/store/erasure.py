"""A chat's "delete my data" in the bot store: the conversation state is scrubbed
(only the language and the place of the pending question stay, so the turn that asked
can still save), and the chat row, help requests and cases with their log, assist
requests, subscriptions and queued messages naming the chat are deleted.

On SQLite deleted rows linger in the file's free pages and in the write-ahead log, so
the file is rebuilt (VACUUM) and the log emptied (checkpoint TRUNCATE); PostgreSQL
never hands those pages to another reader and reuses them, deleting rows is enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import OperationalError

from bot.store.models import Conversation
from dialogs import State

log = logging.getLogger(__name__)

# (what it is for the report, the statement); tables of bot.notify and bot.handoff are
# named, not imported: the store does not depend on those packages.
_DELETES = (
    (
        "help",
        "DELETE FROM handoff_log WHERE case_id IN (SELECT id FROM handoff_cases WHERE key = :k)",
    ),
    ("help", "DELETE FROM handoff_cases WHERE key = :k"),
    ("help", "DELETE FROM handoff_requests WHERE key = :k"),
    ("help", "DELETE FROM assist_requests WHERE citizen_key = :k"),
    # The same person as a volunteer (their Telegram id and name).
    ("help", "DELETE FROM assist_requests WHERE volunteer_id = :user"),
    ("follows", "DELETE FROM subscriptions WHERE key = :k"),
    ("messages", "DELETE FROM outbox WHERE key = :k"),
    ("chat", "DELETE FROM chats WHERE key = :k"),
)


@dataclass(frozen=True)
class ChatErasure:
    conversation: bool  # a stored conversation was scrubbed
    help_records: int
    follows: int
    messages: int
    compacted: bool  # the database file and its log hold no trace (always on PostgreSQL)


def erase_chat(engine: Engine, key: str) -> ChatErasure:
    counts = {"help": 0, "follows": 0, "messages": 0, "chat": 0}
    with engine.begin() as conn:
        scrubbed = _scrub_state(conn, key)
        params = {"k": key, "user": _telegram_user(key)}
        for what, sql in _DELETES:
            counts[what] += conn.execute(text(sql), params).rowcount or 0
    compacted = engine.dialect.name != "sqlite" or compact_sqlite(engine)
    return ChatErasure(
        conversation=scrubbed,
        help_records=counts["help"],
        follows=counts["follows"],
        messages=counts["messages"],
        compacted=compacted,
    )


def _telegram_user(key: str) -> int | None:
    channel, _, user = key.partition(":")
    return int(user) if channel == "telegram" and user.isdigit() else None


def _scrub_state(conn: Connection, key: str) -> bool:
    row = conn.execute(
        select(Conversation.state, Conversation.version).where(Conversation.key == key)
    ).first()
    if row is None:
        return False
    old = State.model_validate(row.state)
    # Same version: the turn that is waiting for this erasure saves over it.
    kept = State(
        lang=old.lang,
        lang_chosen=old.lang_chosen,
        greeted=old.greeted,
        seq=old.seq,
        pending=old.pending,
    )
    data = kept.model_dump(mode="json")
    data["version"] = row.version
    conn.execute(
        update(Conversation).where(Conversation.key == key).values(state=data, waiting=False)
    )
    return True


def compact_sqlite(engine: Engine) -> bool:
    """Rebuild the file without free pages, then empty the write-ahead log. Another
    connection reading at that moment can keep the log from being emptied: reported,
    not raised (the rows are deleted either way and the data was sealed)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            busy, _log_frames, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except OperationalError as exc:
        log.warning("bot store not compacted after an erasure: %s", exc)
        return False
    return not busy
