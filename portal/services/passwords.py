"""Staff passwords for the console: Argon2id hashes (argon2-cffi), and the lock-out
after repeated failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.i18n import N_
from portal.db.models import Staff
from portal.services import console_sessions
from portal.services.context import PortalContext
from portal.services.errors import NotFound, ValidationFailed

MIN_LENGTH = 10
# Five wrong passwords in a row lock the account for a quarter of an hour: enough to
# stop guessing, short enough that a clerk who mistyped is not kept from work all day.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so that both answers take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            N_("A password needs at least {count} characters."),
            code="password_too_short",
            fields=[{"field": "password", "code": "too_short", "message": {}}],
            count=MIN_LENGTH,
        )
    return _hasher.hash(password)


def set_password(db: Session, username: str, password: str) -> Staff:
    """Give an account a (new) password; it lifts a lock-out and ends the account's
    console sessions."""
    staff = db.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(N_("No staff account has this user name."), code="unknown_staff")
    staff.password_hash = hash_password(password)
    staff.failed_signins = 0
    staff.locked_until = None
    console_sessions.close_all_of(db, staff.id)
    db.flush()
    return staff


@dataclass(frozen=True)
class SignIn:
    staff: Staff | None  # None: refused
    locked_until: datetime | None = None  # set when refused because of the lock-out


def sign_in(db: Session, ctx: PortalContext, username: str, password: str) -> SignIn:
    """Check a user name and password. Failures are counted on the account (the caller
    commits them, even though the sign-in is refused); the fifth in a row locks it."""
    staff = db.scalar(select(Staff).where(Staff.username == username).with_for_update())
    now = ctx.now()
    if staff is None or not staff.active or staff.password_hash is None:
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if staff.locked_until is not None and staff.locked_until > now:
        return SignIn(None, locked_until=staff.locked_until)
    if not _verify(staff.password_hash, password):
        staff.failed_signins += 1
        if staff.failed_signins >= MAX_FAILURES:
            staff.failed_signins = 0
            staff.locked_until = now + LOCK_FOR
            db.flush()
            return SignIn(None, locked_until=staff.locked_until)
        db.flush()
        return SignIn(None)
    staff.failed_signins = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    db.flush()
    return SignIn(staff)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
