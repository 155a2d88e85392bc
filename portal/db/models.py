"""Tables of the back office. The portal is the source of truth for applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base, utcnow
from portal.db.sealed import SealedJSON, SealedText
from portal.db.types import UTCDateTime

# BigInteger ids that stay autoincrementing on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # clerk | head
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The console's sign-in (portal/services/passwords.py): an Argon2id hash, and the
    # lock-out after repeated failures.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_signins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure: Mapped[str] = mapped_column(String(64), index=True)
    citizen: Mapped[str] = mapped_column(String(128), index=True)  # channel:user_id
    phone: Mapped[str | None] = mapped_column(SealedText)  # sealed at rest (portal.db.sealed)
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    channel: Mapped[str] = mapped_column(String(16), default="online")  # online | counter
    assisted_by: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)  # sealed at rest
    tracking_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    submit_key: Mapped[str | None] = mapped_column(String(128))
    supplement: Mapped[dict[str, Any] | None] = mapped_column()
    fee_amount: Mapped[int | None] = mapped_column(BigInteger)
    fee_quote: Mapped[dict[str, Any] | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[Transition]] = relationship(
        order_by="Transition.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        order_by="Payment.id", cascade="all, delete-orphan"
    )
    lookups: Mapped[list[Lookup]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Lookup(Base):
    """A keyed hash of a citizen ID or phone in an application, so staff can find it
    by the number while the answers stay sealed (portal.services.lookups)."""

    __tablename__ = "lookups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # citizen_id | phone
    digest: Mapped[str] = mapped_column(String(64), index=True)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    # As the citizen named it ("CCCD 046...jpg" happens): sealed at rest.
    filename: Mapped[str] = mapped_column(SealedText)
    format: Mapped[str] = mapped_column(String(8))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    storage_path: Mapped[str] = mapped_column(String(512))
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class Transition(Base):
    __tablename__ = "transitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(16))  # citizen | staff | system
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | paid
    method: Mapped[str | None] = mapped_column(String(16))  # bank | counter
    transaction_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(128))


class Event(Base):
    """Append-only feed; ``id`` is the cursor consumers persist."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[str | None] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HolidayOverride(Base):
    """A day the government swapped: working=True for a working Saturday, False for a day off."""

    __tablename__ = "holiday_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(200))


class WebhookCursor(Base):
    """How far the optional event webhook push has delivered."""

    __tablename__ = "webhook_cursor"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)


class ConsoleSession(Base):
    """A signed-in browser of the clerk's console (portal/console/). The cookie holds a
    random token; only its SHA-256 is the id, so the table alone signs no one in."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
