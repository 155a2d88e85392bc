"""Server-side sessions of the clerk's console. The browser holds a random token in an
HttpOnly cookie; the table holds its SHA-256, the staff member and the session's CSRF
token. Signing out deletes the row, so a copied cookie stops working at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db.models import ConsoleSession, Staff
from portal.services.context import PortalContext

# A session ends after an idle hour or at the end of a (long) working day.
IDLE = timedelta(hours=1)
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Opened:
    token: str  # for the cookie; never stored
    csrf: str


def _id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, ctx: PortalContext, staff: Staff) -> Opened:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = ctx.now()
    db.add(
        ConsoleSession(
            id=_id(token), staff_id=staff.id, csrf=csrf, created_at=now, last_seen_at=now
        )
    )
    db.flush()
    return Opened(token=token, csrf=csrf)


def current(db: Session, ctx: PortalContext, token: str) -> tuple[ConsoleSession, Staff] | None:
    """The live session of this cookie and its (active) staff member, or None; an
    expired session is deleted (the caller commits)."""
    row = db.get(ConsoleSession, _id(token))
    if row is None:
        return None
    now = ctx.now()
    staff = db.get(Staff, row.staff_id)
    if (
        staff is None
        or not staff.active
        or now - row.last_seen_at > IDLE
        or now - row.created_at > LIFETIME
    ):
        db.delete(row)
        db.flush()
        return None
    # Written at most once a minute: reading a page should not be a write each time.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.flush()
    return row, staff


def close(db: Session, token: str) -> None:
    db.execute(delete(ConsoleSession).where(ConsoleSession.id == _id(token)))


def close_all_of(db: Session, staff_id: int) -> None:
    """A new password ends the account's other sessions."""
    db.execute(delete(ConsoleSession).where(ConsoleSession.staff_id == staff_id))


def sessions_of(db: Session, staff_id: int) -> list[ConsoleSession]:
    return list(db.scalars(select(ConsoleSession).where(ConsoleSession.staff_id == staff_id)))
