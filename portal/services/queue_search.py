"""The console's queue: filters, finished applications hidden unless asked for, and
one search box for a tracking code, a citizen ID, a phone number or a name.

Names are sealed at rest (portal/db/sealed.py), so no index can hold them: a name is
looked for in Python, among the rows the other filters left (the open applications of
one ward: hundreds, not millions). A tracking code, a citizen ID or a phone number is
found by the database (codes as they are, IDs and phones by their keyed hashes)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from portal.catalog.text import fold
from portal.db.models import Application
from portal.domain import tracking
from portal.domain.problems import FieldProblem
from portal.domain.workflow import TERMINAL, Status
from portal.services import lookups
from portal.services.context import PortalContext

_DIGITS = re.compile(r"^[\d\s.+()-]+$")
LIMIT = 200


@dataclass(frozen=True)
class Filters:
    text: str = ""
    status: str | None = None
    procedure: str | None = None
    overdue: bool = False
    include_finished: bool = False


def find(db: Session, ctx: PortalContext, filters: Filters) -> list[Application]:
    text = filters.text.strip()
    code = tracking.normalize_code(text, default_prefix=ctx.settings.ward_code) if text else None
    if code is not None and tracking.is_valid_code(code):
        # A code names one application: found even when finished (a citizen back at
        # the desk with an old receipt), whatever the other filters say.
        return list(
            db.scalars(
                select(Application).where(
                    Application.tracking_code == code, Application.status != Status.DRAFT.value
                )
            )
        )
    stmt = select(Application).where(Application.status != Status.DRAFT.value)
    if filters.status:
        stmt = stmt.where(Application.status == filters.status)
    elif not filters.include_finished:
        stmt = stmt.where(Application.status.not_in([s.value for s in TERMINAL]))
    if filters.procedure:
        stmt = stmt.where(Application.procedure == filters.procedure)
    if filters.overdue:
        stmt = stmt.where(Application.finished_at.is_(None), Application.due_date < ctx.today())
    stmt = stmt.order_by(Application.due_date.asc(), Application.submitted_at.asc())
    if not text:
        return list(db.scalars(stmt.limit(LIMIT)))
    if _DIGITS.match(text):
        return list(db.scalars(_by_number(stmt, text).limit(LIMIT)))
    wanted = fold(text)
    found = [a for a in db.scalars(stmt) if _names_match(ctx, a, wanted)]
    return found[:LIMIT]


def _by_number(stmt: Select[Application], text: str) -> Select[Application]:
    """A citizen ID or a phone number, whichever the digits can be."""
    ids = []
    for kind in ("citizen_id", "phone"):
        try:
            ids.append(lookups.matching(kind, text))
        except FieldProblem:
            continue
    if not ids:
        return stmt.where(Application.id.is_(None))
    return stmt.where(or_(*(Application.id.in_(found) for found in ids)))


def _names_match(ctx: PortalContext, app: Application, wanted: str) -> bool:
    """Every answer to a text question (the applicant's, a child's, a parent's name...)."""
    proc = ctx.catalog.get(app.procedure)
    text_fields = {f.name for f in proc.fields if f.type == "text"}
    return any(
        isinstance(value, str) and wanted in fold(value)
        for key, value in app.answers.items()
        if key in text_fields
    )
