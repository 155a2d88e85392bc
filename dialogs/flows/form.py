"""The application itself: one question at a time, the papers, review, submit, pay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend_client import DocumentSpec, FormField, Procedure
from dialogs.choices import match
from dialogs.conditions import active_documents, active_fields, holds
from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.flows import documents
from dialogs.i18n import N_, fmt_date, t
from dialogs.money import fee_quote, fee_summary, vnd
from dialogs.replies import Media, Reply
from dialogs.state import Step
from dialogs.ui import ask_with_keyboard, gbtn, nav_row, next_question, say, sbtn

HINTS = {
    "date": N_("Write it as day/month/year, for example 05/03/1950."),
    "citizen_id": N_("The 12 digits on the citizen ID card (CCCD)."),
    "phone": N_("For example 0905 123 456."),
    "number": N_("Write a number, in figures or words, for example 2 or hai."),
}


def _proc(step: Step, ctx: Context) -> Procedure:
    assert step.state.procedure is not None
    return ctx.procedures[step.state.procedure]


def _label(field: FormField, lang: str) -> str:
    return field.label.get(lang) or field.label["vi"]


def _doc_name(doc: DocumentSpec, lang: str) -> str:
    return doc.name.get(lang) or doc.name["vi"]


def fields_now(step: Step, ctx: Context) -> list[FormField]:
    return active_fields(_proc(step, ctx), step.state.answers, ctx.now.date())


def fields_possible(step: Step, ctx: Context) -> list[FormField]:
    """The questions that are or may still be asked: a question whose condition rests
    on an answer not given yet counts, so the total only ever goes down ("Step 8/9"
    is never followed by "Step 9/11")."""
    s = step.state
    today = ctx.now.date()
    return [
        f
        for f in _proc(step, ctx).fields
        if holds(f.when, s.answers, today) or (f.when is not None and f.when.field not in s.answers)
    ]


def ask_field(step: Step, ctx: Context, name: str, error: str | None = None) -> None:
    s = step.state
    s.flow = "form"
    s.field = name
    s.held = None
    next_question(s)
    names = [f.name for f in fields_possible(step, ctx)]
    field = next(f for f in _proc(step, ctx).fields if f.name == name)
    position = names.index(name) + 1 if name in names else len(names)
    lang = s.lang
    lines = []
    if error:
        lines.append("⚠️ " + error)
    lines.append(t(lang, N_("Step {n}/{total}"), n=position, total=len(names)))
    lines.append(_label(field, lang))
    if field.type == "date" and field.recent:
        # The example is a day of this month, not an old person's birthday.
        example = fmt_date(ctx.now.date() - timedelta(days=3), lang)
        lines.append(t(lang, N_("For example {example}."), example=example))
    elif field.help:
        lines.append(field.help.get(lang) or field.help["vi"])
    elif field.type in HINTS:
        lines.append(t(lang, HINTS[field.type]))
    current = s.answers.get(name)
    if s.editing and current is not None:
        lines.append(t(lang, N_("Now: {value}"), value=_show(field, current, lang)))
    text = "\n".join(lines)
    extra = []
    if not field.required:
        extra.append(sbtn(s, t(lang, N_("⏭ Skip")), "skip"))
    if field.type == "choice":
        options = [(c.label.get(lang) or c.label["vi"], f"ans:{c.value}") for c in field.choices]
        ask_with_keyboard(step, text, options, tuple(extra) + nav_row(s))
        return
    step.replies.append(
        Reply(
            text=text,
            buttons=tuple(r for r in (tuple(extra), nav_row(s)) if r),
            kind="error" if error else "ask",
            # Channels that number their buttons (the terminal) must not take a typed
            # number for a button press when the question itself wants a number.
            extra={"expects": field.type},
        )
    )


def _show(field: FormField, value: Any, lang: str) -> str:
    if field.type == "date" and isinstance(value, str):
        try:
            return fmt_date(value, lang)
        except ValueError:
            return value
    if field.type == "choice":
        for c in field.choices:
            if c.value == value:
                return c.label.get(lang) or c.label["vi"]
    return str(value)


def start_form(step: Step, ctx: Context) -> None:
    fields = fields_now(step, ctx)
    missing = [f for f in fields if f.name not in step.state.answers]
    if missing:
        ask_field(step, ctx, missing[0].name)
    else:
        start_documents(step, ctx)


def save_answer(step: Step, value: Any) -> None:
    s = step.state
    s.pending = "save_answers"
    s.saving = {str(s.field): value}  # kept when the portal is down (engine._keep_for_later)
    step.effects.append(Effect("save_answers", {"app_id": s.app_id, "answers": {s.field: value}}))


def after_save(step: Step, ctx: Context, ok: bool, value: Any, error: dict[str, Any]) -> None:
    s = step.state
    s.saving = None
    assert s.field is not None
    if not ok:
        message = _field_message(error, s.field, s.lang)
        ask_field(step, ctx, s.field, error=message)
        return
    s.answers = dict(value.get("answers") or {})
    advance(step, ctx)


def _field_message(error: dict[str, Any], field: str, lang: str) -> str:
    for f in error.get("fields") or []:
        if f.get("field") == field and f.get("message"):
            return str(f["message"].get(lang) or f["message"].get("vi"))
    message = error.get("message") or {}
    return str(
        message.get(lang) or message.get("vi") or t(lang, N_("That answer was not accepted."))
    )


def advance(step: Step, ctx: Context) -> None:
    """Go on after the current question: next field, or back to the review when editing."""
    s = step.state
    if documents.in_supplement(s) and s.field in s.supplement_fields:
        from dialogs.flows import supplement

        supplement.after_answer(step, ctx)  # the next answer the office asked for
        return
    if s.editing:
        s.editing = False
        load_for_review(step)
        return
    fields = fields_now(step, ctx)
    names = [f.name for f in fields]
    if s.field in names:
        s.back.append(s.field)
        rest = fields[names.index(s.field) + 1 :]
    else:
        rest = [f for f in fields if f.name not in s.answers]
    if rest:
        ask_field(step, ctx, rest[0].name)
    else:
        start_documents(step, ctx)


def go_back(step: Step, ctx: Context) -> bool:
    """Back one question; False when there is nothing before (the caller decides)."""
    s = step.state
    if s.flow == "documents":
        docs = _docs_todo(step, ctx)
        codes = [d.code for d in docs]
        if s.doc in codes and codes.index(s.doc) > 0:
            ask_document(step, ctx, codes[codes.index(s.doc) - 1])
            return True
        fields = fields_now(step, ctx)
        if fields:
            ask_field(step, ctx, fields[-1].name)
            return True
        return False
    while s.back:
        previous = s.back.pop()
        if previous in [f.name for f in fields_now(step, ctx)]:
            ask_field(step, ctx, previous)
            return True
    return False


# --- documents (dialogs/flows/documents.py) -----------------------------------------


def _docs_todo(step: Step, ctx: Context) -> list[DocumentSpec]:
    return documents.docs_todo(step, ctx)


def start_documents(step: Step, ctx: Context) -> None:
    documents.start(step, ctx)


def ask_document(step: Step, ctx: Context, code: str, error: str | None = None) -> None:
    documents.ask(step, ctx, code, error)


# --- review and submit --------------------------------------------------------------


def load_for_review(step: Step) -> None:
    s = step.state
    s.pending = "load_application"
    s.flow = "review"
    step.effects.append(Effect("load_application", {"app_id": s.app_id}))


MAX_MESSAGE = 300  # characters: a longer message is hard to read on a phone


def _short(field: FormField, lang: str) -> str:
    short = field.short_label or field.label
    return short.get(lang) or short["vi"]


def pack(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Lines gathered into messages of at most ``limit`` characters (a longer line
    stands alone)."""
    messages: list[str] = []
    for line in lines:
        if messages and len(messages[-1]) + 1 + len(line) <= limit:
            messages[-1] += "\n" + line
        else:
            messages.append(line)
    return messages


def review(step: Step, ctx: Context) -> None:
    s = step.state
    s.flow = "review"
    next_question(s)
    proc = _proc(step, ctx)
    lang = s.lang
    lines = [t(lang, N_("Please check your application:"))]
    for field in fields_now(step, ctx):
        if field.name in s.answers:
            lines.append(f"• {_short(field, lang)}: {_show(field, s.answers[field.name], lang)}")
    for doc in active_documents(proc, s.answers, ctx.now.date()):
        if s.docs.get(doc.code):
            lines.append(
                "• "
                + t(lang, N_("{name}: {n} photo(s)"), name=_doc_name(doc, lang), n=s.docs[doc.code])
            )
    # The portal's own quote when it sent one: it knows the formats and the exemptions.
    amount = s.fee_estimate
    if amount is None:
        amount = fee_quote(proc.fee, s.answers, ctx.now.date())
    if amount == 0:
        lines.append(t(lang, N_("Fee: free of charge")))
    elif amount is not None:
        lines.append(t(lang, N_("Fee: {fee}"), fee=vnd(amount, lang)))
    else:
        lines.append(t(lang, N_("Fee: {fee}"), fee=fee_summary(proc.fee, lang)))
    lines.append(
        t(lang, N_('All right? Type "submit now" or press Submit. It cannot be changed after.'))
    )
    *first, last = pack(lines)
    for text in first:
        say(step, text)
    say(
        step,
        last,
        (sbtn(s, t(lang, N_("📨 Submit")), "submit"),),
        (sbtn(s, t(lang, N_("✏️ Change an answer")), "edit"),),
        (sbtn(s, t(lang, N_("🗑 Cancel this application")), "drop"),),
        nav_row(s, back=False),
        kind="ask",
    )


def choose_edit(step: Step, ctx: Context) -> None:
    s = step.state
    next_question(s)
    rows = [(sbtn(s, _short(f, s.lang)[:60], f"edit:{f.name}"),) for f in fields_now(step, ctx)]
    say(step, t(s.lang, N_("Which answer do you want to change?")), *rows, nav_row(s), kind="ask")


EDIT_WORDS = ("sua", "doi", "thay doi", "sua lai", "change", "edit")


def edit_named(step: Step, ctx: Context, folded: str) -> bool:
    """Typed "sửa tên mẹ" at the review: the answer named goes straight to its question."""
    s = step.state
    rest = next((folded[len(w) + 1 :] for w in EDIT_WORDS if folded.startswith(w + " ")), None)
    if not rest:
        return False
    fields = [(_short(f, s.lang), f"edit:{f.name}") for f in fields_now(step, ctx)]
    found = match(rest, fields)
    if not found.data:
        return False
    s.editing = True
    ask_field(step, ctx, found.data.partition(":")[2])
    return True


def confirm_submit(step: Step, ctx: Context) -> None:
    s = step.state
    s.flow = "confirm_submit"
    next_question(s)
    say(
        step,
        t(
            s.lang,
            N_("After submitting you cannot change the application any more. Submit it now?"),
        ),
        (sbtn(s, t(s.lang, N_("✅ Yes, submit")), "confirm:yes"),),
        (sbtn(s, t(s.lang, N_("↩ No, check again")), "confirm:no"),),
        kind="ask",
    )


def submit(step: Step) -> None:
    s = step.state
    # Derived from the state only (the core is pure); saved before the effect runs, so a
    # retry after a crash reuses it and the portal returns the same application.
    s.submit_key = f"{s.app_id}-{s.seq}"
    s.pending = "submit"
    step.effects.append(Effect("submit", {"app_id": s.app_id, "key": s.submit_key}))


def after_submit(step: Step, ctx: Context, ok: bool, value: Any, error: dict[str, Any]) -> None:
    s = step.state
    lang = s.lang
    if not ok:
        fields = error.get("fields") or []
        missing = [f["field"] for f in fields]
        say(step, "⚠️ " + _field_message(error, "", lang))
        for name in missing:
            if name.startswith("documents."):
                s.supplement = s.supplement if s.status == "supplement_requested" else []
                ask_document(step, ctx, name.split(".", 1)[1])
                return
            if name in [f.name for f in _proc(step, ctx).fields]:
                ask_field(step, ctx, name)
                return
        review(step, ctx)
        return
    code = value.get("tracking_code")
    was_supplement = bool(s.supplement) or documents.in_supplement(s)
    s.status = value.get("status")
    s.flow = "submitted"
    s.drafts.pop(s.procedure or "", None)
    s.supplement, s.supplement_fields = [], []
    next_question(s)
    if was_supplement:
        say(
            step,
            t(
                lang,
                N_(
                    "Thank you! The missing papers were sent. "
                    "Application {code} is back with the office."
                ),
                code=code,
            ),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
        return
    text = t(
        lang,
        N_(
            "✅ Submitted! Your application code is {code}.\n"
            "Expected result date: {due}.\nKeep this code to check the application later."
        ),
        code=code,
        due=fmt_date(value.get("due_date"), lang),
    )
    if value.get("tracking_url") and value.get("id"):
        # The receipt: its QR opens the public status page with any phone camera.
        text += "\n" + t(lang, N_("Anyone can follow it here: {url}"), url=value["tracking_url"])
        media: Media | None = Media(
            kind="portal_image",
            data=f"/v1/applications/{value['id']}/receipt.png?lang={lang}",
            filename="bien-nhan.png",
        )
    else:
        media = Media(kind="qr", data=f"{ctx.bot_link}?start=trk_{code}") if ctx.bot_link else None
    step.replies.append(Reply(text=text, media=media))
    if value.get("payment"):  # the portal sends the fee request with the submission
        show_payment(step, ctx, True, value["payment"])
    elif (value.get("fee_amount") or 0) > 0:
        s.pending = "load_payment"
        step.effects.append(Effect("load_payment", {"app_id": s.app_id}))
    else:
        say(
            step,
            t(
                lang,
                N_(
                    "There is no fee for this procedure. "
                    "I will tell you here when anything changes."
                ),
            ),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )


def show_payment(step: Step, ctx: Context, ok: bool, value: Any) -> None:
    s = step.state
    lang = s.lang
    if not ok:
        say(step, t(lang, N_("I could not load the payment details. Please try again later.")))
        return
    if value.get("status") == "paid":
        say(
            step,
            t(lang, N_("The fee has been paid. Thank you!")),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
        return
    amount = int(value["amount"])
    words = (value.get("amount_words") or {}).get(lang, "")
    text = t(
        lang,
        N_(
            "Fee: {amount} ({words}).\nTo pay with this phone:\n1. Press and hold the "
            "card above and save it to the phone.\n2. Open your banking app and choose "
            "“Scan QR”.\n3. Choose “Gallery” (“Chọn ảnh”) and pick the saved card.\n"
            "The amount and the message fill in by themselves; check them and confirm.\n"
            "Someone else can pay for you: just forward them the card."
        ),
        amount=vnd(amount, lang),
        words=words,
    )
    # The payment card: the VietQR code with the amount, payee, bank, account and
    # transfer content written on it, so it still makes sense when forwarded.
    card = (
        Media(
            kind="portal_image",
            data=f"/v1/applications/{s.app_id}/payment/card.png?lang={lang}",
            filename="the-nop-le-phi.png",
        )
        if s.app_id
        else Media(kind="qr", data=str(value["payload"]), filename="vietqr.png")
    )
    step.replies.append(
        Reply(
            text=text,
            media=card,
            buttons=(
                (gbtn(t(lang, N_("💸 I have paid")), f"paid:{s.app_id}"),),
                (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
            ),
        )
    )


def check_paid(step: Step, app: dict[str, Any]) -> None:
    s = step.state
    lang = s.lang
    if app.get("paid"):
        say(
            step,
            t(lang, N_("✅ The fee was received. Thank you!")),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
    else:
        say(
            step,
            t(
                lang,
                N_(
                    "The payment has not arrived yet. Banks can take a few minutes; please "
                    "press the button again later, or pay at the counter."
                ),
            ),
            (gbtn(t(lang, N_("💸 I have paid")), f"paid:{app['id']}"),),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
