"""The bank/payment gateway's callback: HMAC-signed, idempotent."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import ValidationError

from kernel.i18n import N_
from portal.api import schemas
from portal.api.committing import commit_and_respond
from portal.api.deps import Ctx, Db, RawBody
from portal.services import payments
from portal.services.errors import Unauthorized, ValidationFailed

router = APIRouter(prefix="/v1/payments", tags=["payments"])


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw body, as the gateway sends in X-Signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@router.post(
    "/callback",
    response_model=schemas.GatewayAck,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schemas.GatewayCallbackIn.model_json_schema()}
            },
        }
    },
)
def gateway_callback(
    ctx: Ctx,
    db: Db,
    body: RawBody,
    x_signature: Annotated[str | None, Header(max_length=256)] = None,
) -> Response:
    expected = sign(ctx.settings.payment_webhook_secret, body)
    # A header is any latin-1 text; compare_digest refuses non-ASCII str (TypeError).
    if (
        not x_signature
        or not x_signature.isascii()
        or not hmac.compare_digest(x_signature.lower(), expected)
    ):
        raise Unauthorized(N_("The payment notice is not signed correctly."), code="bad_signature")
    try:
        notice = schemas.GatewayCallbackIn.model_validate_json(body)
    except ValidationError as exc:
        raise ValidationFailed(N_("The request is malformed."), code="invalid_request") from exc
    payment, newly = payments.confirm_from_gateway(
        db,
        ctx,
        reference=notice.reference,
        amount=notice.amount,
        transaction_id=notice.transaction_id,
        paid_at=notice.paid_at,
    )
    ack = schemas.GatewayAck(reference=payment.reference, status=payment.status, newly_paid=newly)
    return commit_and_respond(db, ack)
