"""Citizen-side life of an application: draft, answers, submit, cancel."""

from __future__ import annotations

import functools
import typing
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Integer,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from kernel.i18n import N_, localized
from portal.catalog import Procedure
from portal.db.models import Application, Document, Payment, Transition
from portal.domain import tracking
from portal.domain.answers import evaluate_condition, validate_answers
from portal.domain.fees import quote_fee
from portal.domain.identifiers import normalize_phone
from portal.domain.problems import FieldProblem
from portal.domain.workflow import Status, TransitionError, check_transition
from portal.services import events, lookups, payments
from portal.services.context import PortalContext
from portal.services.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    not_found_application,
)
from portal.services.identity import Actor, can_see

EDITABLE = {Status.DRAFT.value, Status.SUPPLEMENT_REQUESTED.value}


def procedure_of(ctx: PortalContext, app: Application) -> Procedure:
    return ctx.catalog.get(app.procedure)


# get_for's statements, built once: a statement built per call costs its cache key
# (a walk of the whole statement) before the compiled SQL is found, ~0.1 ms a request.
_BY_KEY = {
    (column.key, lock): (
        select(Application).where(column == bindparam("key")).with_for_update()
        if lock
        else select(Application).where(column == bindparam("key"))
    )
    for column in (Application.id, Application.tracking_code)
    for lock in (False, True)
}


def get_for(db: Session, actor: Actor, app_id: str, *, lock: bool = False) -> Application:
    """The application ``app_id`` names; staff may also name it by its tracking code
    (typed in any usual form: "px 2026 7q4k9m")."""
    code = tracking.normalize_code(app_id) if actor.is_staff else None
    if code is not None and tracking.is_valid_code(code):
        app = db.scalar(_BY_KEY["tracking_code", lock], {"key": code})
    else:
        app = db.scalar(_BY_KEY["id", lock], {"key": app_id})
    if app is None or not can_see(actor, app):
        # Same answer for "absent" and "not yours": ids are not probed.
        raise not_found_application()
    return app


class Paper(Protocol):
    """What the rules of papers read of an attached document: an ORM ``Document`` or a
    ``ShownDocument`` read for a response."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def uploaded_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class ShownDocument:
    """A document row as a response shows it (read-only: no ORM instance)."""

    id: int
    code: str
    filename: str
    format: str
    mime: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    pages: int | None
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class ShownTransition:
    from_status: str | None
    to_status: str
    actor_kind: str
    actor: str
    note: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ShownPayment:
    id: int
    reference: str
    amount: int
    payload: str
    status: str
    method: str | None
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class Shown:
    """An application's documents, history and payments, in order, for its response."""

    documents: list[ShownDocument]
    transitions: list[ShownTransition]
    payments: list[ShownPayment]


_D = Document.__table__.c
_T = Transition.__table__.c
_P = Payment.__table__.c
# The three collections in one statement, one row per document, step or payment: a UNION
# ALL, never a join. Session 7's joined load of the three (8734a90, reverted) returned
# documents x transitions x payments rows, each carrying the whole application again,
# and every row's sealed values (the answers, the phone, the file name) were opened
# (Fernet, then JSON) before the ORM dropped the duplicates: with 30 photos, 4 steps and
# 2 payments, 720 values opened and 16 ms of CPU for one read, under the GIL (this
# statement: 32, 1.6 ms). The columns line up by position; a union takes each column's
# type, and so its result processing (the sealed file name, the UTC datetimes), from
# its first SELECT: the documents'.
_SHOWN = union_all(
    select(
        literal_column("0", Integer).label("kind"),
        _D.id,
        _D.code,
        _D.filename,
        _D.format,
        _D.mime,
        _D.sha256,
        _D.size,
        _D.width,
        _D.height,
        _D.pages,
        cast(null(), Text).label("note"),
        _D.uploaded_at,
    ).where(_D.application_id == bindparam("app_id")),
    select(
        literal_column("1", Integer),
        _T.id,
        _T.to_status,
        null(),
        _T.from_status,
        _T.actor_kind,
        _T.actor,
        cast(null(), BigInteger),
        cast(null(), Integer),
        cast(null(), Integer),
        cast(null(), Integer),
        _T.note,
        _T.at,
    ).where(_T.application_id == bindparam("app_id")),
    select(
        literal_column("2", Integer),
        _P.id,
        _P.reference,
        null(),
        _P.status,
        _P.method,
        null(),
        _P.amount,
        cast(null(), Integer),
        cast(null(), Integer),
        cast(null(), Integer),
        _P.payload,
        _P.paid_at,
    ).where(_P.application_id == bindparam("app_id")),
).order_by(literal_column("kind"), literal_column("id"))


def shown(db: Session, app: Application) -> Shown:
    """The application's documents, transitions and payments for its response, read in
    one statement as plain rows: no identity map, no lazy loads (up to two statements
    and their ORM loading fewer per answer, read or submission). Reads what is flushed;
    read-only: what a route changes goes through the ORM collections."""
    documents: list[ShownDocument] = []
    transitions: list[ShownTransition] = []
    payments: list[ShownPayment] = []
    rows = db.connection().execute(_SHOWN, {"app_id": app.id})
    for kind, id_, code, filename, fmt, mime, sha, size, width, height, pages, note, at in rows:
        if kind == 0:
            documents.append(
                ShownDocument(
                    id=id_,
                    code=code,
                    filename=filename,
                    format=fmt,
                    mime=mime,
                    size=size,
                    sha256=sha,
                    width=width,
                    height=height,
                    pages=pages,
                    uploaded_at=at,
                )
            )
        # A step's and a payment's columns sit in the documents' places (see _SHOWN).
        elif kind == 1:
            transitions.append(
                ShownTransition(
                    from_status=fmt, to_status=code, actor_kind=mime, actor=sha, note=note, at=at
                )
            )
        else:
            payments.append(
                ShownPayment(
                    id=id_,
                    reference=code,
                    amount=size,
                    payload=note,
                    status=fmt,
                    method=mime,
                    paid_at=at,
                )
            )
    return Shown(documents, transitions, payments)


def list_for_citizen(db: Session, citizen: str) -> list[Application]:
    stmt = (
        select(Application)
        .where((Application.citizen == citizen) | (Application.assisted_by == citizen))
        .order_by(Application.created_at.desc())
    )
    return list(db.scalars(stmt))


def create_draft(
    db: Session,
    ctx: PortalContext,
    actor: Actor,
    *,
    procedure: str,
    citizen: str | None = None,
    phone: str | None = None,
    lang: str = "vi",
    channel: str = "online",
) -> Application:
    if procedure not in ctx.catalog:
        raise NotFound(N_("No such procedure: {slug}."), code="unknown_procedure", slug=procedure)
    owner = actor.id
    assisted_by = None
    if citizen and citizen != actor.id:
        # A volunteer (through the bot) or a clerk at the counter files for someone else.
        owner, assisted_by = citizen, actor.id
    if phone:
        try:
            phone = normalize_phone(phone)
        except FieldProblem as exc:
            raise ValidationFailed(
                N_("Please check the highlighted answers."),
                fields=[{"field": "phone", "code": exc.code, "message": exc.message}],
            ) from exc
    app = Application(
        id=uuid.uuid4().hex,
        procedure=procedure,
        citizen=owner,
        assisted_by=assisted_by,
        phone=phone,
        lang=lang if lang in ("vi", "en") else "vi",
        channel=channel,
        status=Status.DRAFT.value,
        answers={},
        created_at=ctx.now(),
        updated_at=ctx.now(),
        # A new application's collections, given: its response reads them without
        # querying for what cannot exist yet (two statements fewer per create).
        documents=[],
        payments=[],
        lookups=[],
        transitions=[
            Transition(
                from_status=None,
                to_status=Status.DRAFT.value,
                actor_kind=actor.kind,
                actor=actor.id,
                at=ctx.now(),
            )
        ],
    )
    lookups.refresh(db, app)
    db.add(app)
    db.flush()
    return app


def _require_editable(app: Application) -> None:
    if app.status not in EDITABLE:
        raise Conflict(
            N_("This application has been submitted and can no longer be changed."),
            code="not_editable",
        )


def set_answers(
    db: Session, ctx: PortalContext, app: Application, answers: dict[str, Any]
) -> Application:
    """Merge answers (None removes one); every field error is returned together and
    nothing is saved unless all given answers are valid."""
    _require_editable(app)
    merged: dict[str, Any] = dict(app.answers)
    for name, value in answers.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    result = validate_answers(procedure_of(ctx, app), merged, today=ctx.today(), partial=True)
    if result.errors:
        raise ValidationFailed(
            N_("Please check the highlighted answers."),
            fields=[
                {"field": e.field, "code": e.code, "message": e.message} for e in result.errors
            ],
        )
    had = lookups.digests_for(app.answers, app.phone)
    cleaned = dict(result.cleaned)
    if lookups.digests_for(cleaned, app.phone) == had and not db.is_modified(app):
        # Most answers: only the row changes. One UPDATE of our own instead of a flush
        # (same statement and version check, without the unit of work's bookkeeping).
        update_row(db, app, answers=cleaned, updated_at=ctx.now())
        return app
    app.answers = cleaned
    lookups.refresh(db, app, had)
    app.updated_at = ctx.now()
    db.flush()
    return app


def update_row(db: Session, app: Application, **values: Any) -> None:
    """Write ``values`` to the application's row now, as a flush would: one UPDATE that
    also moves the version on, and fails with the ORM's own StaleDataError (a 409) when
    another request changed the row since it was read. The instance then holds the
    values as committed: the session has nothing left to flush for it. Only for an
    application with no other change pending (it would be written under the old
    version, and fail)."""
    version = app.version
    result = db.connection().execute(
        _update_statement(tuple(values)),
        {**values, "b_id": app.id, "b_version": version, "b_next": version + 1},
    )
    if result.rowcount != 1:
        raise StaleDataError(
            f"UPDATE statement on table 'applications' expected to update 1 row(s); "
            f"{result.rowcount} were matched."
        )
    for key, value in values.items():
        set_committed_value(app, key, value)
    set_committed_value(app, "version", version + 1)


@functools.cache
def _update_statement(keys: tuple[str, ...]) -> Update:
    """update_row's statement for these columns, built once (see _BY_KEY)."""
    table = typing.cast(Table, Application.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values({**{key: bindparam(key) for key in keys}, "version": bindparam("b_next")})
    )


def active_documents(ctx: PortalContext, app: Application) -> list[Any]:
    proc = procedure_of(ctx, app)
    return [
        d
        for d in proc.documents
        if d.when is None or evaluate_condition(d.when, app.answers, ctx.today())
    ]


def _asked(app: Application) -> tuple[set[str], datetime] | None:
    """The documents a pending supplement request names, and when it was made."""
    if app.status != Status.SUPPLEMENT_REQUESTED.value or not app.supplement:
        return None
    since = datetime.fromisoformat(app.supplement["requested_at"])
    return set(app.supplement.get("documents") or []), since


def superseded(app: Application) -> list[Document]:
    """Photos of a document the clerk asked for again, sent before the request: the new
    ones replace them, so they count for nothing now and go at resubmission."""
    old = _superseded_ids(app, app.documents)
    return [d for d in app.documents if d.id in old]


def _superseded_ids(app: Application, documents: Sequence[Paper]) -> set[int]:
    asked = _asked(app)
    if asked is None:
        return set()
    codes, since = asked
    return {d.id for d in documents if d.code in codes and d.uploaded_at < since}


def counted_documents(app: Application, documents: Sequence[Paper] | None = None) -> dict[str, int]:
    """Photos that count, per document code (against the minimum and the maximum alike).
    ``documents``: the application's, when already read (``shown``)."""
    papers = app.documents if documents is None else documents
    old = _superseded_ids(app, papers)
    have: dict[str, int] = {}
    for doc in papers:
        if doc.id not in old:
            have[doc.code] = have.get(doc.code, 0) + 1
    return have


def wanted_documents(ctx: PortalContext, app: Application) -> list[Any]:
    """The papers to send now: during a supplement exactly the asked ones, else those
    the answers make active."""
    asked = _asked(app)
    if asked is None:
        return active_documents(ctx, app)
    return [d for d in procedure_of(ctx, app).documents if d.code in asked[0]]


def document_rules(
    ctx: PortalContext, app: Application, documents: Sequence[Paper] | None = None
) -> list[dict[str, Any]]:
    """The portal's rule for each paper to send now, for clients to follow as is."""
    papers = app.documents if documents is None else documents
    have = counted_documents(app, papers)
    old = _superseded_ids(app, papers)
    supplement = _asked(app) is not None
    return [
        {
            "code": spec.code,
            "name": spec.name.model_dump(),
            "required": spec.required or supplement,
            "min_files": spec.min_files,
            "max_files": spec.max_files,
            "sides": spec.sides,
            "received": have.get(spec.code, 0),
            "ids": [d.id for d in papers if d.code == spec.code and d.id not in old],
        }
        for spec in wanted_documents(ctx, app)
    ]


def missing_requirements(
    ctx: PortalContext, app: Application, documents: Sequence[Paper] | None = None
) -> list[dict[str, Any]]:
    """Every reason the application cannot be submitted yet, as field errors."""
    proc = procedure_of(ctx, app)
    result = validate_answers(proc, app.answers, today=ctx.today(), partial=False)
    problems: list[dict[str, Any]] = [
        {"field": e.field, "code": e.code, "message": e.message} for e in result.errors
    ]
    # During a supplement only what the clerk asked for must be newly attached.
    have = counted_documents(app, documents)
    wanted = wanted_documents(ctx, app)
    for spec in wanted:
        asked_for = app.status == Status.SUPPLEMENT_REQUESTED.value
        if (spec.required or asked_for) and have.get(spec.code, 0) < spec.min_files:
            problems.append(
                {
                    "field": f"documents.{spec.code}",
                    "code": "document_missing",
                    "message": localized(
                        N_("Please send a photo of: {document}."), document=spec.name.model_dump()
                    ),
                }
            )
    return problems


def _transition(
    db: Session,
    ctx: PortalContext,
    app: Application,
    target: Status,
    actor: Actor,
    note: str | None = None,
) -> None:
    try:
        check_transition(Status(app.status), target, actor.kind)
    except TransitionError as exc:
        raise Conflict(N_("This step is not possible now."), code="invalid_transition") from exc
    db.add(
        Transition(
            application_id=app.id,
            from_status=app.status,
            to_status=target.value,
            actor_kind=actor.kind,
            actor=actor.id,
            note=note,
            at=ctx.now(),
        )
    )
    app.status = target.value
    app.updated_at = ctx.now()


_CODE_TAKEN = select(Application.id).where(Application.tracking_code == bindparam("key"))


def _new_tracking_code(db: Session, ctx: PortalContext) -> str:
    year = ctx.today().year
    for _ in range(20):
        code = tracking.generate_code(ctx.settings.ward_code, year)
        if db.scalar(_CODE_TAKEN, {"key": code}) is None:
            return code
    raise Conflict(N_("Please try again in a moment."), code="busy")  # pragma: no cover


def submit(
    db: Session, ctx: PortalContext, app: Application, actor: Actor, idempotency_key: str
) -> Application:
    """Submit a draft, or resubmit after a supplement request. Repeating a submit with
    the same key returns the same application unchanged."""
    if app.submit_key == idempotency_key and app.status not in EDITABLE:
        return app
    if app.status not in EDITABLE:
        raise Conflict(N_("This application has already been submitted."), code="already_submitted")
    problems = missing_requirements(ctx, app)
    if problems:
        raise ValidationFailed(
            N_("Some answers or papers are still missing."), code="incomplete", fields=problems
        )
    resubmission = app.status == Status.SUPPLEMENT_REQUESTED.value
    if resubmission:
        # The documents service owns removal (rows and files); imported here because it
        # builds on this module.
        from portal.services import documents

        for doc in superseded(app):
            documents.remove(db, ctx, app, doc.id)
    _transition(db, ctx, app, Status.SUBMITTED, actor)
    app.submit_key = idempotency_key
    if resubmission:
        asked = app.supplement or {}
        app.supplement = None
        events.append(db, ctx, "application.resubmitted", app, supplement=asked)
        db.flush()
        return app
    proc = procedure_of(ctx, app)
    # The reads below need nothing of this change written first: the application is
    # then written by one UPDATE (with its transition and payment), not three.
    with db.no_autoflush:
        app.tracking_code = _new_tracking_code(db, ctx)
        calendar = ctx.calendar(db)
    app.submitted_at = ctx.now()
    app.due_date = calendar.due_date(
        ctx.now(),
        proc.processing.kind,
        proc.processing.days,
        cutoff=_cutoff(proc.processing.cutoff),
    )
    quote = quote_fee(
        proc.fee,
        app.answers,
        channel="online" if app.channel == "online" else "counter",
        today=ctx.today(),
    )
    app.fee_amount = quote.amount
    app.fee_quote = payments.quote_as_dict(quote)
    # The event is written at the commit (events.append); it only reads the application.
    events.append(db, ctx, "application.submitted", app, fee_amount=app.fee_amount)
    if quote.amount > 0:
        payments.create_request(db, ctx, app)
    db.flush()
    return app


def _cutoff(value: str | None) -> time | None:
    if not value:
        return None
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def cancel(
    db: Session, ctx: PortalContext, app: Application, actor: Actor, reason: str | None
) -> Application:
    _transition(db, ctx, app, Status.CANCELLED, actor, reason)
    app.finished_at = ctx.now()
    if app.tracking_code:
        events.append(db, ctx, "application.cancelled", app, note=reason)
    db.flush()
    return app
