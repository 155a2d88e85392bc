"""Papers of an application for its owner (the bot sends them in the chat): the
payment card while a fee is due, and the receipt once submitted."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from kernel.i18n import N_
from portal.api.committing import end_read
from portal.api.deps import AppId, Citizen, Ctx, Db
from portal.api.downloads import NOSNIFF
from portal.db.models import Application
from portal.papers import card, receipt
from portal.services import applications as service
from portal.services import payments
from portal.services.errors import NotFound

router = APIRouter(prefix="/v1/applications", tags=["papers"])

Lang = Annotated[Literal["vi", "en"], Query()]
PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}}}}


@router.get("/{app_id}/payment/card.png", response_class=Response, responses=PNG)
def get_payment_card(
    ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, lang: Lang = "vi"
) -> Response:
    """The VietQR code with the amount (digits and words), payee, bank, account,
    transfer content, tracking code and procedure written beside it."""
    app = service.get_for(db, actor, app_id)
    pay = payments.current(app)
    if pay is None:
        raise NotFound(N_("This application has no fee to pay."), code="no_fee")
    png = card.payment_card_png(ctx, app, pay, lang)
    end_read(db)
    return Response(png, media_type="image/png", headers=NOSNIFF)


def _submitted(db: Db, actor: Citizen, app_id: str) -> Application:
    app = service.get_for(db, actor, app_id)
    if app.tracking_code is None:
        raise NotFound(N_("This application has not been submitted yet."), code="not_submitted")
    return app


@router.get("/{app_id}/receipt.png", response_class=Response, responses=PNG)
def get_receipt_png(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, lang: Lang = "vi") -> Response:
    app = _submitted(db, actor, app_id)
    png = receipt.receipt_png(ctx, app, lang)
    end_read(db)
    return Response(png, media_type="image/png", headers=NOSNIFF)


@router.get(
    "/{app_id}/receipt.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_receipt_pdf(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, lang: Lang = "vi") -> Response:
    app = _submitted(db, actor, app_id)
    pdf, code = receipt.receipt_pdf(ctx, app, lang), app.tracking_code
    end_read(db)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**NOSNIFF, "Content-Disposition": f'attachment; filename="{code}-receipt.pdf"'},
    )
