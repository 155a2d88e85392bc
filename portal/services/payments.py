"""Fee payment requests (VietQR) and their confirmation, by the bank or at the counter."""

from __future__ import annotations

import secrets
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.i18n import N_
from portal.db.models import Application, Payment
from portal.domain.fees import FeeQuote
from portal.domain.vietqr import build_payload
from portal.services import events
from portal.services.context import PortalContext
from portal.services.errors import Conflict, NotFound, ValidationFailed
from portal.services.identity import Actor

# References go into the QR "purpose"/"reference" and bank statements: no confusable chars.
_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def quote_as_dict(quote: FeeQuote) -> dict[str, Any]:
    if is_dataclass(quote) and not isinstance(quote, type):
        return asdict(quote)
    dump = getattr(quote, "model_dump", None)
    if callable(dump):
        result: dict[str, Any] = dump(mode="json")
        return result
    raise TypeError("FeeQuote must be a dataclass or a pydantic model")


def _reference() -> str:
    return "MC" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))


def _purpose(app: Application) -> str:
    code = (app.tracking_code or "").replace("-", "")
    return f"{code} LE PHI"[:25]


def create_request(db: Session, ctx: PortalContext, app: Application) -> Payment:
    assert app.fee_amount and app.fee_amount > 0
    reference = _reference()
    payload = build_payload(
        ctx.settings.payee_bank_bin,
        ctx.settings.payee_account,
        app.fee_amount,
        _purpose(app),
        reference,
    )
    payment = Payment(
        application_id=app.id,
        reference=reference,
        amount=app.fee_amount,
        payload=payload,
        status="pending",
        created_at=ctx.now(),
    )
    db.add(payment)
    db.flush()
    events.append(db, ctx, "payment.requested", app, amount=payment.amount, reference=reference)
    return payment


def current(app: Application) -> Payment | None:
    return app.payments[-1] if app.payments else None


def _mark_paid(
    db: Session,
    ctx: PortalContext,
    payment: Payment,
    app: Application,
    *,
    method: str,
    transaction_id: str | None,
    paid_at: datetime,
    by: str,
) -> None:
    payment.status = "paid"
    payment.method = method
    payment.transaction_id = transaction_id
    payment.paid_at = paid_at
    payment.confirmed_by = by
    app.paid_at = paid_at
    db.flush()
    events.append(
        db,
        ctx,
        "payment.confirmed",
        app,
        amount=payment.amount,
        method=method,
        reference=payment.reference,
    )


def confirm_from_gateway(
    db: Session,
    ctx: PortalContext,
    *,
    reference: str,
    amount: int,
    transaction_id: str,
    paid_at: datetime | None,
) -> tuple[Payment, bool]:
    """Apply a bank callback. Returns (payment, newly_paid). A repeated callback for the
    same transaction is a no-op; a second, different payment is refused."""
    payment = db.scalar(select(Payment).where(Payment.reference == reference).with_for_update())
    if payment is None:
        raise NotFound(N_("No payment request with this reference."), code="unknown_reference")
    app = db.get(Application, payment.application_id)
    assert app is not None
    if payment.status == "paid" or app.paid_at is not None:
        if payment.transaction_id == transaction_id:
            return payment, False
        raise Conflict(N_("This fee has already been paid."), code="already_paid")
    if amount != payment.amount:
        raise ValidationFailed(
            N_("The amount paid does not match the fee."),
            code="amount_mismatch",
            fields=[{"field": "amount", "code": "amount_mismatch", "message": {}}],
        )
    if app.status in ("cancelled", "rejected"):
        raise Conflict(N_("This application is closed."), code="application_closed")
    _mark_paid(
        db,
        ctx,
        payment,
        app,
        method="bank",
        transaction_id=transaction_id,
        paid_at=paid_at or ctx.now(),
        by="gateway",
    )
    return payment, True


def confirm_at_counter(db: Session, ctx: PortalContext, app: Application, staff: Actor) -> Payment:
    payment = current(app)
    if payment is None:
        raise Conflict(N_("This application has no fee to pay."), code="no_fee")
    if payment.status == "paid" or app.paid_at is not None:
        raise Conflict(N_("This fee has already been paid."), code="already_paid")
    _mark_paid(
        db,
        ctx,
        payment,
        app,
        method="counter",
        transaction_id=None,
        paid_at=ctx.now(),
        by=staff.id,
    )
    return payment
