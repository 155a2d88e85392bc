"""The payment card: the VietQR code with everything a person needs to read beside it
(amount in digits and words, payee, bank, account, transfer content, tracking code,
procedure), so that it still makes sense forwarded to the relative who pays."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.i18n import N_, gettext_
from kernel.qr import qr_modules
from portal.db.models import Application, Payment
from portal.domain.money import amount_in_words, format_vnd
from portal.domain.vietqr import BANK_BINS, parse_payload
from portal.papers.cache import cached_paper
from portal.papers.drawing import ACCENT, Sheet
from portal.services.context import PortalContext

WIDTH = 720
_BANK_NAMES = {bin_: name for name, bin_ in BANK_BINS.items()}


def bank_name(bin_: str) -> str:
    return _BANK_NAMES.get(bin_, bin_)


def transfer_content(payment: Payment) -> str:
    """The transfer message the banking app fills in from the code (field 62.08)."""
    return parse_payload(payment.payload).get("62.08", "")


def card_fields(
    ctx: PortalContext, app: Application, payment: Payment, lang: str
) -> list[tuple[str, str]]:
    """The labelled lines under the code, in order."""

    def tr(message: str) -> str:
        return gettext_(message, lang)

    settings = ctx.settings
    return [
        (tr(N_("Payee")), settings.payee_name),
        (tr(N_("Bank")), bank_name(settings.payee_bank_bin)),
        (tr(N_("Account number")), settings.payee_account),
        (tr(N_("Transfer content")), transfer_content(payment)),
        (tr(N_("Tracking code")), app.tracking_code or ""),
        (tr(N_("Procedure")), ctx.catalog.get(app.procedure).name.get(lang)),
    ]


@dataclass(frozen=True)
class CardContent:
    """Everything drawn on the card (its repr names the cached file)."""

    ward: str
    title: str
    amount: str
    words: str
    payload: str
    hint: str
    fields: list[tuple[str, str]]


def card_content(ctx: PortalContext, app: Application, payment: Payment, lang: str) -> CardContent:
    return CardContent(
        ward=ctx.settings.ward_name,
        title=gettext_(N_("FEE PAYMENT CARD"), lang),
        amount=format_vnd(payment.amount, lang),
        words=f"({amount_in_words(payment.amount, lang)})",
        payload=payment.payload,
        hint=gettext_(N_("Scan with any banking app (VietQR)"), lang),
        fields=card_fields(ctx, app, payment, lang),
    )


def payment_card_png(ctx: PortalContext, app: Application, payment: Payment, lang: str) -> bytes:
    """The card as PNG, drawn once for what it shows and then read from disk."""
    content = card_content(ctx, app, payment, lang)
    return cached_paper(
        ctx.settings.upload_dir,
        app.id,
        f"card-{lang}.png",
        repr(content),
        lambda: draw(content).png(),
    )


def payment_card(ctx: PortalContext, app: Application, payment: Payment, lang: str) -> Sheet:
    return draw(card_content(ctx, app, payment, lang))


def draw(content: CardContent) -> Sheet:
    sheet = Sheet(WIDTH)
    sheet.text(content.ward, 26, bold=True, color=ACCENT, center=True, gap=2)
    sheet.text(content.title, 34, bold=True, center=True)
    sheet.rule()
    sheet.text(content.amount, 52, bold=True, center=True, gap=0)
    sheet.text(content.words, 26, center=True, gap=12)
    sheet.picture(qr_modules(content.payload), 460)
    sheet.text(content.hint, 24, center=True, gap=16)
    sheet.rule(thickness=2)
    for label, value in content.fields:
        sheet.field(label, value)
    return sheet
