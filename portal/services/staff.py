"""Staff accounts and the clerk's actions on the queue."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.i18n import N_
from portal.db.models import Application, HolidayOverride, Staff
from portal.domain.problems import FieldProblem
from portal.domain.workflow import Status
from portal.services import events, lookups
from portal.services.applications import _transition, procedure_of
from portal.services.context import PortalContext
from portal.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.services.identity import Actor

ROLES = ("clerk", "head")
# Decisions signed by the head of the ward office; clerks do the rest.
HEAD_ONLY = {Status.APPROVED, Status.REJECTED}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_staff(
    db: Session, *, username: str, full_name: str, role: str, token: str | None = None
) -> tuple[Staff, str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if db.scalar(select(Staff).where(Staff.username == username)) is not None:
        raise Conflict(N_("That user name is taken."), code="username_taken")
    token = token or secrets.token_urlsafe(24)
    staff = Staff(username=username, full_name=full_name, role=role, token_hash=hash_token(token))
    db.add(staff)
    db.flush()
    return staff, token


def rotate_token(db: Session, username: str) -> str:
    """Give a staff account a new random token and return it; the old one stops working
    at once (only its SHA-256 was stored, so nothing else needs to be revoked)."""
    staff = db.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(N_("No staff account has this user name."), code="unknown_staff")
    token = secrets.token_urlsafe(32)
    staff.token_hash = hash_token(token)
    db.flush()
    return token


def deactivate_holders_of(db: Session, tokens: list[str]) -> list[str]:
    """Deactivate the accounts whose token is one of ``tokens`` (the demo's, printed in
    the README): a production portal must not accept them. Returns their user names."""
    hashes = [hash_token(t) for t in tokens]
    found = db.scalars(select(Staff).where(Staff.token_hash.in_(hashes), Staff.active)).all()
    for staff in found:
        staff.active = False
    db.flush()
    return sorted(s.username for s in found)


def authenticate(db: Session, token: str) -> Staff | None:
    staff = db.scalar(select(Staff).where(Staff.token_hash == hash_token(token)))
    return staff if staff is not None and staff.active else None


def as_actor(staff: Staff) -> Actor:
    return Actor(kind="staff", id=f"staff:{staff.username}", role=staff.role, name=staff.full_name)


def _require_role(actor: Actor, target: Status) -> None:
    if target in HEAD_ONLY and actor.role != "head":
        raise Forbidden(N_("Only the head of the office may do this."), code="role_required")


def act(
    db: Session,
    ctx: PortalContext,
    app: Application,
    actor: Actor,
    target: Status,
    *,
    note: str | None = None,
    missing_documents: list[str] | None = None,
    fields: list[str] | None = None,
) -> Application:
    """One clerk action: receive, start review, request supplement, approve, reject,
    mark the result ready, complete."""
    _require_role(actor, target)
    data: dict[str, Any] = {"note": note}
    if target == Status.REJECTED and not (note and note.strip()):
        raise ValidationFailed(
            N_("Please give the reason for the refusal."),
            code="reason_required",
            fields=[{"field": "note", "code": "required", "message": {}}],
        )
    if target == Status.SUPPLEMENT_REQUESTED:
        proc = procedure_of(ctx, app)
        known = {d.code for d in proc.documents}
        asked = list(dict.fromkeys(missing_documents or []))
        unknown = [c for c in asked if c not in known]
        # Answers to give again (a misspelt name...): the citizen re-answers them in the chat.
        to_answer = list(dict.fromkeys(fields or []))
        unknown_fields = [f for f in to_answer if f not in {x.name for x in proc.fields}]
        if unknown or unknown_fields or not (asked or to_answer or (note and note.strip())):
            raise ValidationFailed(
                N_("Name the missing papers (or explain in the note)."),
                code="missing_required",
                fields=[
                    {
                        "field": "fields" if unknown_fields else "documents",
                        "code": "invalid",
                        "message": {},
                    }
                ],
            )
        app.supplement = {
            "documents": asked,
            "fields": to_answer,
            "note": note,
            "requested_at": ctx.now().isoformat(),
            "requested_by": actor.id,
        }
        data["documents"] = asked
        data["fields"] = to_answer
    fee_due = (app.fee_amount or 0) > 0 and app.paid_at is None
    if target in (Status.APPROVED, Status.RESULT_READY) and fee_due:
        raise Conflict(N_("The fee has not been paid yet."), code="fee_unpaid")
    _transition(db, ctx, app, target, actor, note)
    if target == Status.RESULT_READY:
        app.result_note = note
    if target in (Status.COMPLETED, Status.REJECTED):
        app.finished_at = ctx.now()
    db.flush()
    events.append(db, ctx, f"application.{target.value}", app, actor=actor.id, **data)
    return app


def queue(
    db: Session,
    ctx: PortalContext,
    *,
    status: str | None = None,
    procedure: str | None = None,
    overdue: bool | None = None,
    citizen_id: str | None = None,
    phone: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Application]:
    stmt = select(Application).where(Application.status != Status.DRAFT.value)
    for kind, value in (("citizen_id", citizen_id), ("phone", phone)):
        if value is not None:
            try:
                stmt = stmt.where(Application.id.in_(lookups.matching(kind, value)))
            except FieldProblem as exc:
                raise ValidationFailed(
                    N_("Please check the highlighted answers."),
                    fields=[{"field": kind, "code": exc.code, "message": exc.message}],
                ) from exc
    if status:
        stmt = stmt.where(Application.status == status)
    if procedure:
        stmt = stmt.where(Application.procedure == procedure)
    if overdue is not None:
        late = (Application.finished_at.is_(None)) & (Application.due_date < ctx.today())
        stmt = stmt.where(late if overdue else ~late)
    stmt = stmt.order_by(Application.due_date.asc(), Application.submitted_at.asc())
    return list(db.scalars(stmt.limit(limit).offset(offset)))


def set_holiday(db: Session, day: date, working: bool, note: str | None) -> HolidayOverride:
    row = db.get(HolidayOverride, day)
    if row is None:
        row = HolidayOverride(day=day, working=working, note=note)
        db.add(row)
    else:
        row.working, row.note = working, note
    db.flush()
    return row


def remove_holiday(db: Session, day: date) -> bool:
    row = db.get(HolidayOverride, day)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True
