"""The notifier's tables, on the bot store's declarative Base so that its metadata
(and the Alembic revision b0002) cover them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, Json, utcnow

# Outbox statuses: pending → claimed → sending → sent; or failed; "held" is never
# stored (a held row is pending with not_before in the morning) but named for reports.
PENDING, CLAIMED, SENDING, SENT, FAILED = "pending", "claimed", "sending", "sent", "failed"


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("application_id", "key", name="uq_subscriptions_application_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Null until the first event of the application names it (a relative subscribes
    # with the tracking code only).
    application_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tracking_code: Mapped[str | None] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(128))  # "telegram:123"
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    role: Mapped[str] = mapped_column(String(10))  # owner / relative / helper
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NotifierCursor(Base):
    __tablename__ = "notifier_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # One message per (event, chat, kind): a replayed event inserts nothing.
        UniqueConstraint("event_id", "key", "kind", name="uq_outbox_event_key_kind"),
        Index("ix_outbox_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    application_id: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)  # {"text", "buttons"}
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Times a crash left the row 'sending' and it was sent again: possible duplicates.
    resent: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)


class Reminder(Base):
    """A message due later unless something happens first (a fee paid, documents sent,
    the application approved)."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", name="uq_reminders_application_kind"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))  # reminder_unpaid / reminder_supplement / ...
    event_id: Mapped[int] = mapped_column(BigInteger)  # the event that set it
    data: Mapped[dict[str, Any]] = mapped_column(Json)  # that event's data
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending/done/cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
