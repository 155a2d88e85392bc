"""The owner's papers through the API (what the bot sends in the chat): payment card,
receipt PNG and PDF; the tracking URL every tracking QR encodes."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backend_client import NotFoundError, PortalClient
from tests.support.clock import FrozenClock
from tests.support.submitted import submit_sample

ANA = "telegram:7401"
BINH = "telegram:7402"


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def test_the_owner_gets_the_card_and_the_receipt(
    portal: PortalClient, clock: FrozenClock
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    assert app.tracking_code and app.payment
    assert app.tracking_url == f"http://127.0.0.1:8000/t/{app.tracking_code}"
    assert _decode(await portal.get_payment_card(ANA, app.id)) == [app.payment.payload]
    assert _decode(await portal.get_receipt(ANA, app.id, "en")) == [app.tracking_url]
    pdf = PdfReader(io.BytesIO(await portal.get_receipt(ANA, app.id, "en", kind="pdf")))
    text = pdf.pages[0].extract_text()
    assert "RECEIPT OF APPLICATION" in text and app.tracking_code in text
    assert "10,000 VND — not paid yet" in " ".join(text.split())
    with pytest.raises(NotFoundError):  # someone else's application does not exist
        await portal.get_receipt(BINH, app.id)
    with pytest.raises(NotFoundError):
        await portal.get_payment_card(BINH, app.id)


async def test_no_card_without_a_fee_and_no_receipt_before_submitting(
    portal: PortalClient, clock: FrozenClock
) -> None:
    free = await submit_sample(portal, clock, "elderly_allowance", ANA)
    with pytest.raises(NotFoundError):
        await portal.get_payment_card(ANA, free.id)
    draft = await portal.create_application(ANA, "elderly_allowance")
    assert draft.tracking_url is None
    with pytest.raises(NotFoundError):
        await portal.get_receipt(ANA, draft.id)
