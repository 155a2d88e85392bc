"""The handoff's tables, on the bot store's declarative Base (Alembic revision b0003)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, Json, utcnow

# Case statuses: open (relaying), closed, unreachable (the bot cannot write in the group:
# the case stays recorded and the citizen was told to call the office).
OPEN, CLOSED, UNREACHABLE = "open", "closed", "unreachable"


class HandoffCase(Base):
    __tablename__ = "handoff_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), index=True)  # the citizen's chat key
    request_id: Mapped[int | None] = mapped_column(Integer)  # handoff_requests.id
    status: Mapped[str] = mapped_column(String(12), default=OPEN, index=True)
    topic_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    staff_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_name: Mapped[str | None] = mapped_column(String(100))
    citizen_name: Mapped[str] = mapped_column(String(100), default="")
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    procedure: Mapped[str | None] = mapped_column(String(100))
    app_id: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HandoffLog(Base):
    """What happened in a case, and who did it (e.g. an answer set by an officer)."""

    __tablename__ = "handoff_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "staff:111:Lan", "citizen", "bot"
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssistRequest(Base):
    """A volunteer asking to start an application for a citizen, until consent."""

    __tablename__ = "assist_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    volunteer_id: Mapped[int] = mapped_column(BigInteger)
    volunteer_name: Mapped[str] = mapped_column(String(100))
    citizen_key: Mapped[str | None] = mapped_column(String(100))
    procedure: Mapped[str] = mapped_column(String(100))
    # asked → created | refused | failed; "contact" when the volunteer must share a contact.
    status: Mapped[str] = mapped_column(String(12), default="asked")
    app_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
