"""The payment card: its QR is the payment's VietQR payload, and what is written on it
is the application's amount (digits and words), payee, bank, account, transfer
content, tracking code and procedure."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from backend_client import PortalClient
from portal.db.models import Application
from portal.papers.card import payment_card
from portal.services import payments
from portal.services.context import PortalContext
from tests.support.clock import FrozenClock
from tests.support.submitted import submit_sample

ANA = "telegram:7101"


async def test_the_card_reads_like_the_payment(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext
) -> None:
    submitted = await submit_sample(portal, clock, "signature_certification", ANA)
    assert submitted.payment is not None and submitted.tracking_code
    with ctx.sessions() as db:
        app = db.get(Application, submitted.id)
        assert app is not None
        pay = payments.current(app)
        assert pay is not None
        sheet = payment_card(ctx, app, pay, "vi")
        png = sheet.png()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in decoded] == [submitted.payment.payload]
    text = "\n".join(sheet.written)
    assert "10.000 đồng" in text
    assert "(Mười nghìn đồng)" in text or "(mười nghìn đồng)" in text.lower()
    for expected in (
        ctx.settings.payee_name,
        "VietinBank",  # the BIN 970415 named
        ctx.settings.payee_account,
        submitted.tracking_code.replace("-", "") + " LE PHI",  # the transfer content
        submitted.tracking_code,
        submitted.procedure_name["vi"],
        "THẺ NỘP LỆ PHÍ",
    ):
        assert expected in text, expected
    image = Image.open(io.BytesIO(png))
    assert image.width == 720 and image.height > image.width  # a phone-shaped picture
