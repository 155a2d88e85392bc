"""ORM rows to response bodies (masking what a reader does not need)."""

from __future__ import annotations

import re

from portal.api import schemas
from portal.catalog import Procedure
from portal.db.models import Application, Payment
from portal.domain.fees import Channel, quote_fee
from portal.domain.money import amount_in_words, format_vnd
from portal.domain.workflow import Status, coarse_label, coarse_status, status_label
from portal.public.urls import public_url
from portal.services import payments
from portal.services.applications import (
    EDITABLE,
    Shown,
    ShownPayment,
    document_rules,
    missing_requirements,
)
from portal.services.context import PortalContext


def procedure_summary(proc: Procedure) -> schemas.ProcedureSummary:
    return schemas.ProcedureSummary(
        slug=proc.slug,
        name=proc.name.model_dump(),
        short_name=proc.short_name.model_dump() if proc.short_name else None,
        category=proc.category,
        online_level=proc.online_level,
        processing=proc.processing.model_dump(),
        fee_kind=proc.fee.kind,
    )


def mask_citizen_id(value: object) -> str | None:
    """Keep the first 3 and last 3 digits: enough to tell two people apart at the desk."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
        return None
    return value[:3] + "******" + value[-3:]


def is_overdue(ctx: PortalContext, app: Application) -> bool:
    return bool(app.due_date and app.finished_at is None and app.due_date < ctx.today()) or bool(
        app.due_date and app.finished_at and app.finished_at.date() > app.due_date
    )


def _applicant(app: Application) -> str | None:
    for key in ("applicant_name", "full_name", "name"):
        value = app.answers.get(key)
        if isinstance(value, str):
            return value
    return None


def _citizen_id(app: Application) -> str | None:
    for key, value in app.answers.items():
        masked = mask_citizen_id(value)
        if masked and "id" in key:
            return masked
    return None


def application(
    ctx: PortalContext, app: Application, shown: Shown | None = None
) -> schemas.ApplicationOut:
    """``shown``: the application's documents, transitions and payments as read by
    ``applications.shown`` (one statement); without it, its ORM collections."""
    proc = ctx.catalog.get(app.procedure)
    documents = app.documents if shown is None else shown.documents
    transitions = app.transitions if shown is None else shown.transitions
    pay: Payment | ShownPayment | None = None
    # Drafts have no quote yet: their payments are not even loaded.
    if app.fee_amount and shown is not None:
        pay = shown.payments[-1] if shown.payments else None
    elif app.fee_amount:
        pay = payments.current(app)
    return schemas.ApplicationOut(
        id=app.id,
        procedure=app.procedure,
        procedure_name=proc.name.model_dump(),
        citizen=app.citizen,
        assisted_by=app.assisted_by,
        phone=app.phone,
        lang=app.lang,
        channel=app.channel,
        status=app.status,
        status_label=status_label(Status(app.status)),
        answers=app.answers,
        tracking_code=app.tracking_code,
        tracking_url=public_url(ctx.settings, app.tracking_code) if app.tracking_code else None,
        submitted_at=app.submitted_at,
        due_date=app.due_date,
        overdue=is_overdue(ctx, app),
        finished_at=app.finished_at,
        fee_amount=app.fee_amount,
        fee=app.fee_quote,
        fee_estimate=_fee_estimate(ctx, app, proc) if app.status in EDITABLE else None,
        paid=app.paid_at is not None,
        paid_at=app.paid_at,
        supplement=app.supplement,
        result_note=app.result_note,
        documents=[schemas.DocumentOut.model_validate(d) for d in documents],
        transitions=[schemas.TransitionOut.model_validate(t) for t in transitions],
        missing=missing_requirements(ctx, app, documents) if app.status in EDITABLE else [],
        created_at=app.created_at,
        updated_at=app.updated_at,
        payment=payment(ctx, app, pay) if pay is not None else None,
        document_rules=[
            schemas.DocumentRuleOut(**rule) for rule in document_rules(ctx, app, documents)
        ]
        if app.status in EDITABLE
        else [],
    )


def _fee_estimate(ctx: PortalContext, app: Application, proc: Procedure) -> int:
    channel: Channel = "online" if app.channel == "online" else "counter"
    return quote_fee(proc.fee, app.answers, channel=channel, today=ctx.today()).amount


def summary(ctx: PortalContext, app: Application) -> schemas.ApplicationSummary:
    proc = ctx.catalog.get(app.procedure)
    return schemas.ApplicationSummary(
        id=app.id,
        procedure=app.procedure,
        procedure_name=proc.name.model_dump(),
        citizen=app.citizen,
        status=app.status,
        status_label=status_label(Status(app.status)),
        tracking_code=app.tracking_code,
        applicant=_applicant(app),
        citizen_id_masked=_citizen_id(app),
        submitted_at=app.submitted_at,
        due_date=app.due_date,
        overdue=is_overdue(ctx, app),
        paid=app.paid_at is not None,
        fee_amount=app.fee_amount,
    )


def track(ctx: PortalContext, app: Application) -> schemas.TrackOut:
    proc = ctx.catalog.get(app.procedure)
    coarse = coarse_status(Status(app.status))
    assert app.tracking_code is not None
    return schemas.TrackOut(
        tracking_code=app.tracking_code,
        procedure=app.procedure,
        procedure_name=proc.name.model_dump(),
        status=coarse,
        status_label=coarse_label(coarse),
        due_date=app.due_date,
    )


def payment(
    ctx: PortalContext, app: Application, pay: Payment | ShownPayment
) -> schemas.PaymentOut:
    return schemas.PaymentOut(
        reference=pay.reference,
        amount=pay.amount,
        amount_text={lang: format_vnd(pay.amount, lang) for lang in ("vi", "en")},
        amount_words={lang: amount_in_words(pay.amount, lang) for lang in ("vi", "en")},
        status="paid" if pay.status == "paid" else "pending",
        method=pay.method,
        paid_at=pay.paid_at,
        payload=pay.payload,
        bank_bin=ctx.settings.payee_bank_bin,
        account=ctx.settings.payee_account,
        payee=ctx.settings.payee_name,
        qr_png_url=f"/v1/applications/{app.id}/payment/qr.png",
    )


def kept_application(ctx: PortalContext, app: Application) -> schemas.KeptApplicationOut:
    from portal.services.erasure import keep_until

    return schemas.KeptApplicationOut(
        id=app.id,
        procedure=app.procedure,
        procedure_name=ctx.catalog.get(app.procedure).name.model_dump(),
        tracking_code=app.tracking_code,
        status=app.status,
        status_label=status_label(Status(app.status)),
        keep_until=keep_until(ctx, app),
    )
