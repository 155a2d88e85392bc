from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from kernel.i18n import N_
from portal.api import presenters, schemas
from portal.api.committing import commit_and_respond, end_read, respond
from portal.api.deps import AppId, Citizen, Ctx, Db
from portal.api.downloads import NOSNIFF
from portal.api.text import PlainText
from portal.domain.fees import quote_fee
from portal.domain.money import format_vnd
from portal.domain.vietqr import qr_png
from portal.papers.cache import cached_paper
from portal.services import applications as service
from portal.services import payments
from portal.services.errors import NotFound, ValidationFailed
from portal.services.payments import quote_as_dict

router = APIRouter(prefix="/v1/applications", tags=["applications"])

IdempotencyKey = Annotated[PlainText | None, Header(max_length=128)]


@router.post("", response_model=schemas.ApplicationOut, status_code=201)
def create_application(
    ctx: Ctx, db: Db, actor: Citizen, body: schemas.CreateApplicationIn
) -> Response:
    app = service.create_draft(
        db,
        ctx,
        actor,
        procedure=body.procedure,
        citizen=body.citizen,
        phone=body.phone,
        lang=body.lang,
        channel=body.channel,
    )
    return commit_and_respond(db, presenters.application(ctx, app), status_code=201)


@router.get("", response_model=list[schemas.ApplicationSummary])
def my_applications(ctx: Ctx, db: Db, actor: Citizen) -> list[schemas.ApplicationSummary]:
    return [presenters.summary(ctx, a) for a in service.list_for_citizen(db, actor.id)]


@router.get("/{app_id}", response_model=schemas.ApplicationOut)
def get_application(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId) -> Response:
    app = service.get_for(db, actor, app_id)
    return respond(db, presenters.application(ctx, app, service.shown(db, app)))


@router.patch("/{app_id}/answers", response_model=schemas.ApplicationOut)
def set_answers(
    ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, body: schemas.AnswersIn
) -> Response:
    app = service.get_for(db, actor, app_id, lock=True)
    # Read before the UPDATE: on SQLite the write lock is then held for less time (an
    # upload or a step changing these in between moves the version: the UPDATE fails).
    shown = service.shown(db, app)
    service.set_answers(db, ctx, app, dict(body.answers))
    return commit_and_respond(db, presenters.application(ctx, app, shown))


@router.get("/{app_id}/fee", response_model=schemas.FeeOut)
def get_fee(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId) -> Response:
    app = service.get_for(db, actor, app_id)
    if app.fee_quote is not None and app.fee_amount is not None:
        amount, quote = app.fee_amount, app.fee_quote
    else:
        q = quote_fee(
            service.procedure_of(ctx, app).fee,
            app.answers,
            channel="online" if app.channel == "online" else "counter",
            today=ctx.today(),
        )
        amount, quote = q.amount, quote_as_dict(q)
    out = schemas.FeeOut(
        amount=amount,
        amount_text={lang: format_vnd(amount, lang) for lang in ("vi", "en")},
        quote=quote,
    )
    return respond(db, out)


@router.post("/{app_id}/submit", response_model=schemas.ApplicationOut)
def submit_application(
    ctx: Ctx,
    db: Db,
    actor: Citizen,
    app_id: AppId,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    if not idempotency_key:
        raise ValidationFailed(
            N_("An Idempotency-Key header is required to submit."), code="idempotency_key_required"
        )
    app = service.get_for(db, actor, app_id, lock=True)
    service.submit(db, ctx, app, actor, idempotency_key)
    return commit_and_respond(db, presenters.application(ctx, app, service.shown(db, app)))


@router.post("/{app_id}/cancel", response_model=schemas.ApplicationOut)
def cancel_application(
    ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, body: schemas.CancelIn | None = None
) -> Response:
    app = service.get_for(db, actor, app_id, lock=True)
    service.cancel(db, ctx, app, actor, body.reason if body else None)
    return commit_and_respond(db, presenters.application(ctx, app))


@router.get("/{app_id}/payment", response_model=schemas.PaymentOut)
def get_payment(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId) -> Response:
    app = service.get_for(db, actor, app_id)
    pay = payments.current(app)
    if pay is None:
        raise NotFound(N_("This application has no fee to pay."), code="no_fee")
    return respond(db, presenters.payment(ctx, app, pay))


@router.get(
    "/{app_id}/payment/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def get_payment_qr(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId) -> Response:
    app = service.get_for(db, actor, app_id)
    pay = payments.current(app)
    if pay is None:
        raise NotFound(N_("This application has no fee to pay."), code="no_fee")
    key, payload = app.id, pay.payload
    end_read(db)  # the rows expire: only the values read above are used after it
    png = cached_paper(ctx.settings.upload_dir, key, "vietqr.png", payload, lambda: qr_png(payload))
    return Response(png, media_type="image/png", headers=NOSNIFF)
