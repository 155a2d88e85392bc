"""The receipt, PDF and PNG: its QR opens the public status page, and its text is the
application's ward, procedure, code, dates, fee and what to bring."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backend_client import PortalClient
from portal.db.models import Application
from portal.papers.receipt import receipt_pdf, receipt_sheet
from portal.services.context import PortalContext
from tests.support.clock import FrozenClock
from tests.support.submitted import submit_sample

ANA = "telegram:7201"


async def test_the_receipt_reads_like_the_application(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext
) -> None:
    submitted = await submit_sample(portal, clock, "signature_certification", ANA)
    code = submitted.tracking_code
    assert code and submitted.due_date and submitted.submitted_at
    with ctx.sessions() as db:
        app = db.get(Application, submitted.id)
        assert app is not None
        pdf = receipt_pdf(ctx, app, "vi")
        sheet = receipt_sheet(ctx, app, "vi")
    url = f"http://127.0.0.1:8000/t/{code}"
    expected = [
        "Phường Phú Xuân, thành phố Huế",
        "GIẤY BIÊN NHẬN HỒ SƠ",
        submitted.procedure_name["vi"],
        code,
        clock().strftime("%d/%m/%Y"),  # submitted today
        submitted.due_date.strftime("%d/%m/%Y"),
        "10.000 đồng — chưa nộp",
        "căn cước của người nộp hồ sơ",
    ]

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)  # A5 in points
    text = " ".join(reader.pages[0].extract_text().split())
    for item in expected:
        assert item in text, item
    (qr_image,) = reader.pages[0].images
    assert [r.text for r in zxingcpp.read_barcodes(qr_image.image)] == [url]

    png_text = " ".join(" ".join(sheet.written).split())
    for item in expected:
        assert item in png_text, item
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(sheet.png())))
    assert [r.text for r in decoded] == [url]
    assert submitted.answers and all(
        str(v) not in text for v in submitted.answers.values() if len(str(v)) > 4
    )
