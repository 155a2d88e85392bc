"""The receipt of an application: a PDF (A5) to print and a PNG to keep on a phone.

Nothing personal is on it (it can be downloaded from the public page): the ward, the
procedure, the tracking code and its QR (the public status page), the dates, the fee
and whether it is paid, and what to bring to collect the result."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kernel.i18n import N_, gettext_
from kernel.qr import qr_modules, qr_png
from portal.db.models import Application
from portal.domain.money import format_vnd
from portal.papers.cache import cached_paper
from portal.papers.drawing import ACCENT, Sheet
from portal.papers.fonts import font_path
from portal.public.urls import public_url
from portal.services.context import PortalContext

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class ReceiptContent:
    ward: str
    title: str
    qr_text: str
    qr_hint: str
    fields: list[tuple[str, str]]
    bring_title: str
    bring: list[str]


def receipt_content(ctx: PortalContext, app: Application, lang: str) -> ReceiptContent:
    def tr(message: str, **params: object) -> str:
        return gettext_(message, lang, **params)

    assert app.tracking_code is not None, "a receipt is for a submitted application"
    proc = ctx.catalog.get(app.procedure)
    tz = ZoneInfo(ctx.settings.timezone)
    submitted = app.submitted_at.astimezone(tz).strftime("%d/%m/%Y") if app.submitted_at else "—"
    due = app.due_date.strftime("%d/%m/%Y") if app.due_date else "—"
    if not app.fee_amount:
        fee = tr(N_("No fee"))
    elif app.paid_at is not None:
        fee = tr(N_("{amount} — paid"), amount=format_vnd(app.fee_amount, lang))
    else:
        fee = tr(N_("{amount} — not paid yet"), amount=format_vnd(app.fee_amount, lang))
    return ReceiptContent(
        ward=ctx.settings.ward_name,
        title=tr(N_("RECEIPT OF APPLICATION")),
        qr_text=public_url(ctx.settings, app.tracking_code),
        qr_hint=tr(N_("Scan this code with the phone camera to see how the application is going.")),
        fields=[
            (tr(N_("Procedure")), proc.name.get(lang)),
            (tr(N_("Tracking code")), app.tracking_code),
            (tr(N_("Submitted on")), submitted),
            (tr(N_("Expected result date")), due),
            (tr(N_("Fee")), fee),
        ],
        bring_title=tr(N_("To collect the result, bring")),
        bring=[
            tr(N_("this receipt (printed or on the phone);")),
            tr(N_("the applicant's citizen ID card;")),
            proc.result.get(lang),
        ],
    )


def receipt_png(ctx: PortalContext, app: Application, lang: str) -> bytes:
    """The receipt as PNG, drawn once for what it shows and then read from disk."""
    content = receipt_content(ctx, app, lang)
    return cached_paper(
        ctx.settings.upload_dir,
        app.id,
        f"receipt-{lang}.png",
        repr(content),
        lambda: draw(content).png(),
    )


def receipt_sheet(ctx: PortalContext, app: Application, lang: str) -> Sheet:
    return draw(receipt_content(ctx, app, lang))


def draw(content: ReceiptContent) -> Sheet:
    sheet = Sheet(720)
    sheet.text(content.ward, 26, bold=True, color=ACCENT, center=True, gap=2)
    sheet.text(content.title, 34, bold=True, center=True)
    sheet.rule()
    for label, value in content.fields:
        sheet.field(label, value)
    sheet.picture(qr_modules(content.qr_text), 300)
    sheet.text(content.qr_hint, 22, center=True, gap=16)
    sheet.rule(thickness=2)
    sheet.text(content.bring_title, 26, bold=True, gap=4)
    for item in content.bring:
        sheet.text(f"• {item}", 24, gap=4)
    return sheet


def _line(pdf: FPDF, height: float, text: str, center: bool = False) -> None:
    from fpdf.enums import Align, XPos, YPos

    pdf.multi_cell(
        0,
        height,
        text,
        align=Align.C if center else Align.L,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def receipt_pdf(ctx: PortalContext, app: Application, lang: str) -> bytes:
    """The receipt as PDF, drawn once for what it shows and then read from disk."""
    content = receipt_content(ctx, app, lang)
    return cached_paper(
        ctx.settings.upload_dir,
        app.id,
        f"receipt-{lang}.pdf",
        repr(content) + f"|{app.tracking_code}",
        lambda: draw_pdf(content, app.tracking_code or ""),
    )


def draw_pdf(content: ReceiptContent, tracking_code: str) -> bytes:
    # fpdf2 is imported for PDFs only: the portal's workers need not load it to serve.
    from fpdf import FPDF

    # A5 in millimetres (fpdf2 warns about its own "A5" name since a fix in 2.8.5).
    pdf = FPDF(orientation="portrait", unit="mm", format=(148, 210))
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_title(f"{content.title} {tracking_code}")
    pdf.set_creator("Mot Cua")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.add_page()
    pdf.set_text_color(*ACCENT)
    pdf.set_font("DejaVu", "B", 11)
    _line(pdf, 5.5, content.ward, center=True)
    pdf.set_text_color(26, 26, 26)
    pdf.set_font("DejaVu", "B", 15)
    _line(pdf, 8, content.title, center=True)
    pdf.ln(2)
    for label, value in content.fields:
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(68, 68, 68)
        _line(pdf, 4.5, label)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(26, 26, 26)
        _line(pdf, 6, value)
        pdf.ln(1)
    side = 38.0
    pdf.image(io.BytesIO(qr_png(content.qr_text, scale=8)), x=(pdf.w - side) / 2, w=side, h=side)
    pdf.set_font("DejaVu", "", 9)
    _line(pdf, 4.5, content.qr_hint, center=True)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    _line(pdf, 6, content.bring_title)
    pdf.set_font("DejaVu", "", 10)
    for item in content.bring:
        _line(pdf, 5, f"• {item}")
    return bytes(pdf.output())
