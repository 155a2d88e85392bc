"""Every text of the public page, marked for translation (the templates get them
translated, with their placeholders filled in by the view)."""

from __future__ import annotations

from typing import Final

from kernel.i18n import N_

PAGE: Final = {
    "title": N_("Application status"),
    "ward": N_("Ward's one-stop office"),
    "code_label": N_("Tracking code"),
    "procedure_label": N_("Procedure"),
    "status_label": N_("Status"),
    "due_label": N_("Expected result date"),
    "submitted_label": N_("Submitted on"),
    "fee_label": N_("Fee"),
    "fee_paid": N_("Paid"),
    "fee_due": N_("Not paid yet"),
    "fee_none": N_("No fee"),
    "missing_title": N_("What the ward still needs"),
    "missing_papers": N_("Papers to send again:"),
    "missing_answers": N_("Answers to give again:"),
    "missing_how": N_(
        "Send them through the assistant (Telegram) or bring them to the one-stop desk."
    ),
    "pay_title": N_("Pay the fee from your phone"),
    "pay_card_alt": N_(
        "Payment card: QR code for the bank transfer, with the amount, the payee and the "
        "transfer content"
    ),
    "pay_step_save": N_(
        "Save the payment card to your phone: press and hold the picture and choose "
        "“Save image”, or press the button “Save the payment card”."
    ),
    "pay_step_open": N_("Open your bank's app and choose “Scan QR”."),
    "pay_step_gallery": N_(
        "In the scanner, choose “Gallery” (or “Choose picture”) and pick the saved card."
    ),
    "pay_step_check": N_(
        "Check that the amount and the transfer content are as on the card, then confirm."
    ),
    "pay_other_phone": N_("With a second phone or a computer, simply scan the card's QR code."),
    "pay_save": N_("Save the payment card"),
    "receipt_title": N_("Receipt"),
    "receipt_pdf": N_("Download the receipt (PDF)"),
    "receipt_png": N_("Download the receipt (picture)"),
    "assistant_title": N_("Ask the assistant"),
    "open_telegram": N_("Open in Telegram"),
    "open_zalo": N_("Open in Zalo"),
    "other_code": N_("Look up another code"),
    "lookup_title": N_("Look up an application"),
    "lookup_help": N_("Type the code printed on the receipt, e.g. PX-2026-7Q4K9M."),
    "lookup_button": N_("Look up"),
    "no_personal": N_("This page shows no personal information."),
}

STATUS_TEXT: Final = {
    "submitted": N_("The ward has the application and will check its papers soon."),
    "received": N_("The ward has received the application and checked its papers."),
    "processing": N_("The ward is working on the application."),
    "needs_action": N_("The ward needs something more from the applicant before it can go on."),
    "ready": N_(
        "The result is ready. Bring the receipt and your ID card to the one-stop desk "
        "to collect it."
    ),
    "completed": N_("The result has been collected. The application is finished."),
    "rejected": N_(
        "The ward refused this application. The reason was sent to the applicant; the "
        "one-stop desk can explain it."
    ),
    "cancelled": N_("This application was cancelled."),
}

NOT_FOUND: Final = {
    "not_a_code": N_("This does not look like a tracking code. It looks like PX-2026-7Q4K9M."),
    "code_mistyped": N_("This code seems mistyped. Please check each character."),
    "unknown_code": N_("No application has this code."),
    "too_many": N_("Too many lookups. Please wait a minute and try again."),
}
