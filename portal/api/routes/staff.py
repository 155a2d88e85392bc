"""The clerk's side: queue, actions, counter payments, statistics, holiday table."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from kernel.i18n import N_
from portal.api import presenters, schemas
from portal.api.committing import commit_and_respond
from portal.api.deps import AppId, Ctx, Db, StaffActor
from portal.api.text import PlainText
from portal.db.models import HolidayOverride
from portal.domain.workflow import Status
from portal.services import applications, payments, stats
from portal.services import staff as service
from portal.services.errors import Forbidden, NotFound

router = APIRouter(prefix="/v1/staff", tags=["staff"])

ACTIONS: dict[str, Status] = {
    "receive": Status.RECEIVED,
    "review": Status.IN_REVIEW,
    "request-supplement": Status.SUPPLEMENT_REQUESTED,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "result-ready": Status.RESULT_READY,
    "complete": Status.COMPLETED,
}
Action = Literal[
    "receive", "review", "request-supplement", "approve", "reject", "result-ready", "complete"
]


@router.get("/me", response_model=schemas.StaffOut)
def me(actor: StaffActor) -> schemas.StaffOut:
    return schemas.StaffOut(
        username=actor.id.removeprefix("staff:"), full_name=actor.name or "", role=actor.role or ""
    )


@router.get("/queue", response_model=list[schemas.ApplicationSummary])
def queue(
    ctx: Ctx,
    db: Db,
    _actor: StaffActor,
    status: Annotated[Status | None, Query()] = None,
    procedure: Annotated[PlainText | None, Query(max_length=64)] = None,
    overdue: Annotated[bool | None, Query()] = None,
    # Found through keyed hashes (the answers are sealed), typed in any usual form.
    citizen_id: Annotated[str | None, Query(max_length=32)] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[schemas.ApplicationSummary]:
    rows = service.queue(
        db,
        ctx,
        status=status.value if status else None,
        procedure=procedure,
        overdue=overdue,
        citizen_id=citizen_id,
        phone=phone,
        limit=limit,
        offset=offset,
    )
    return [presenters.summary(ctx, a) for a in rows]


@router.post("/applications/{app_id}/counter-payment", response_model=schemas.PaymentOut)
def counter_payment(ctx: Ctx, db: Db, actor: StaffActor, app_id: AppId) -> Response:
    app = applications.get_for(db, actor, app_id, lock=True)
    pay = payments.confirm_at_counter(db, ctx, app, actor)
    return commit_and_respond(db, presenters.payment(ctx, app, pay))


@router.post("/applications/{app_id}/{action}", response_model=schemas.ApplicationOut)
def act(
    ctx: Ctx,
    db: Db,
    actor: StaffActor,
    app_id: AppId,
    action: Action,
    body: schemas.StaffActionIn | None = None,
) -> Response:
    body = body or schemas.StaffActionIn()
    app = applications.get_for(db, actor, app_id, lock=True)
    service.act(
        db,
        ctx,
        app,
        actor,
        ACTIONS[action],
        note=body.note,
        missing_documents=body.documents,
        fields=body.fields,
    )
    return commit_and_respond(db, presenters.application(ctx, app))


@router.get("/stats", response_model=schemas.StatsOut)
def get_stats(
    ctx: Ctx,
    db: Db,
    _actor: StaffActor,
    since: date | None = None,
    until: date | None = None,
) -> schemas.StatsOut:
    s = stats.compute(db, ctx, since, until)
    return schemas.StatsOut(
        since=s.since,
        until=s.until,
        submitted=s.submitted,
        online=s.online,
        online_share=s.online_share,
        finished=s.finished,
        on_time=s.on_time,
        on_time_rate=s.on_time_rate,
        overdue=[presenters.summary(ctx, a) for a in s.overdue_open],
        by_procedure=s.by_procedure,
    )


@router.get("/holidays", response_model=list[schemas.HolidayOut])
def list_holidays(db: Db, _actor: StaffActor) -> list[schemas.HolidayOut]:
    rows = db.scalars(select(HolidayOverride).order_by(HolidayOverride.day))
    return [schemas.HolidayOut.model_validate(r) for r in rows]


def _head(actor: StaffActor) -> None:
    if actor.role != "head":
        raise Forbidden(N_("Only the head of the office may do this."), code="role_required")


@router.put("/holidays/{day}", response_model=schemas.HolidayOut)
def put_holiday(db: Db, actor: StaffActor, day: date, body: schemas.HolidayIn) -> Response:
    _head(actor)
    row = service.set_holiday(db, day, body.working, body.note)
    return commit_and_respond(db, schemas.HolidayOut.model_validate(row))


@router.delete("/holidays/{day}", status_code=204)
def delete_holiday(db: Db, actor: StaffActor, day: date) -> None:
    _head(actor)
    if not service.remove_holiday(db, day):
        raise NotFound(N_("No override for that day."), code="unknown_day")
    db.commit()
