"""The append-only event feed consumers follow with a persisted cursor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from portal.db.models import Application, Event
from portal.services.context import PortalContext

# Any fixed number: the PostgreSQL advisory lock that orders event appends.
_EVENT_LOCK = 7_205_318


def append(db: Session, ctx: PortalContext, type_: str, app: Application, **data: Any) -> Event:
    """Append an event to the caller's transaction; it is written when that commits.

    On PostgreSQL, ids come from a sequence and concurrent transactions may commit
    out of id order; a reader could then pass a gap that fills later and miss it.
    A transaction-scoped advisory lock makes appends commit in id order, so
    ``after=<cursor>`` never skips anything. The events wait in the session until its
    commit, so the lock is held only for their insert and the commit itself, not for
    the rest of the request: every submit and status change goes through it.
    SQLite serialises writers already.
    """
    payload: dict[str, Any] = {
        "application_id": app.id,
        "tracking_code": app.tracking_code,
        "procedure": app.procedure,
        "status": app.status,
        "citizen": app.citizen,
        "assisted_by": app.assisted_by,
        "lang": app.lang,
        "due_date": app.due_date.isoformat() if app.due_date else None,
    }
    payload.update(data)
    event = Event(type=type_, application_id=app.id, data=payload, created_at=ctx.now())
    db.info.setdefault(_PENDING, []).append(event)
    return event


_PENDING = "motcua.pending_events"


@sa_event.listens_for(Session, "before_commit")
def _write_pending(db: Session) -> None:
    pending: list[Event] = db.info.pop(_PENDING, [])
    if not pending:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK})
    # One INSERT for all of them (a submit appends two), their ids left to the database:
    # nothing in the request reads them.
    db.execute(
        insert(Event),
        [
            {
                "type": e.type,
                "application_id": e.application_id,
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in pending
        ],
    )


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(db: Session) -> None:
    db.info.pop(_PENDING, None)


def after(db: Session, cursor: int, limit: int) -> list[Event]:
    return list(db.scalars(select(Event).where(Event.id > cursor).order_by(Event.id).limit(limit)))
