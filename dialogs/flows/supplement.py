"""A clerk asked for more: show what (papers, answers, the note), take exactly that, resubmit.

The portal's rule is followed as sent: the application's ``supplement`` names the papers
and the answers asked for, its ``document_rules`` how many photos each paper takes and
which photos count (old photos of a paper asked for again are replaced, not counted).
"""

from __future__ import annotations

from typing import Any

from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.flows import documents, form, procedure, status
from dialogs.i18n import N_, t
from dialogs.state import Step
from dialogs.text import fold
from dialogs.ui import gbtn, next_question, say

# Typed outside a form: "I want to send what the office asked for".
WORDS = {
    "bo sung",
    "bo sung giay",
    "bo sung giay to",
    "bo sung ho so",
    "gui bo sung",
    "gui giay bo sung",
    "gui giay to bo sung",
    "nop bo sung",
    "nop giay bo sung",
    "gui giay con thieu",
    "gui giay to con thieu",
    "gui giay thieu",
    "gui lai giay",
    "gui lai anh",
    "send the documents",
    "send the missing papers",
    "send the papers",
    "add papers",
}
_FILLER = {"toi", "muon", "can", "de", "a", "nhe", "di", "cho", "chau", "oi", "i", "want", "to"}


def asks_for_it(text: str) -> bool:
    words = [w for w in fold(text).rstrip(".!").split() if w not in _FILLER]
    return " ".join(words) in WORDS


def find(step: Step, *, photo: bool = False) -> None:
    """Which application waits for papers: the citizen's list tells. ``photo``: a photo
    sent outside any form (in ``state.early``) that was no receipt's QR code."""
    step.state.pending = "list_mine:supplement_photo" if photo else "list_mine:supplement"
    step.effects.append(Effect("list_mine"))


def after_list(step: Step, ok: bool, value: Any, *, photo: bool = False) -> None:
    s = step.state
    lang = s.lang
    waiting = [a for a in (value or []) if ok and a.get("status") == documents.SUPPLEMENT]
    if len(waiting) == 1:
        # A photo sent with the news in mind goes to the first paper asked for.
        status.open_application(step, waiting[0]["id"], "supplement")
        return
    if photo and not waiting:
        s.early = []
        message = N_("I could not read a code in this photo. Please type the code instead.")
        status.ask_code(step, t(lang, message))
        return
    next_question(s)
    menu_row = (gbtn(t(lang, N_("🏠 Menu")), "menu"),)
    if not waiting:
        say(step, t(lang, N_("None of your applications is waiting for more papers.")), menu_row)
        return
    rows = []
    for app in waiting[:10]:
        name = app["procedure_name"].get(lang) or app["procedure_name"]["vi"]
        label = f"{name} {app.get('tracking_code') or ''}".strip()[:60]
        rows.append((gbtn(label, f"supp:{app['id']}"),))
    say(step, t(lang, N_("Which application?")), *rows, menu_row, kind="ask")


def open_request(step: Step, ctx: Context, app: dict[str, Any]) -> None:
    """The application as loaded for its supplement: say what is asked, then ask it."""
    s = step.state
    procedure.restore_from(s, app)
    if app.get("status") != documents.SUPPLEMENT:
        status.show_application(step, ctx, app)
        return
    assert s.procedure is not None
    proc = ctx.procedures[s.procedure]
    asked = app.get("supplement") or {}
    codes = {d.code: d for d in proc.documents}
    names = {f.name: f for f in proc.fields}
    s.supplement = [c for c in asked.get("documents") or [] if c in codes]
    s.supplement_fields = [f for f in asked.get("fields") or [] if f in names]
    lang = s.lang
    lines = [
        t(
            lang,
            N_("The office asks you to add to application {code}:"),
            code=app.get("tracking_code") or "",
        )
    ]
    if s.supplement:
        papers = "; ".join(codes[c].name.get(lang) or codes[c].name["vi"] for c in s.supplement)
        lines.append(t(lang, N_("• New photos of: {papers}"), papers=papers))
    if s.supplement_fields:
        answers = "; ".join(_short(names[f], lang) for f in s.supplement_fields)
        lines.append(t(lang, N_("• Answer again: {answers}"), answers=answers))
    say(step, "\n".join(lines))
    note = (asked.get("note") or "").strip()
    if note:
        for part in _parts(t(lang, N_("The office says: {note}"), note=note)):
            say(step, part)
    again(step, ctx)


def _parts(text: str, limit: int = 300) -> list[str]:
    """A clerk's long note in messages a phone shows whole (cut between words)."""
    parts: list[str] = []
    for word in text.split(" "):
        if parts and len(parts[-1]) + 1 + len(word) <= limit:
            parts[-1] += " " + word
        else:
            parts.append(word[:limit])
    return parts


def _short(field: Any, lang: str) -> str:
    label = getattr(field, "short_label", None) or field.label
    return str(label.get(lang) or label["vi"])


def again(step: Step, ctx: Context) -> None:
    """From the start of what was asked: the answers first, then the papers, then send."""
    s = step.state
    if s.supplement_fields:
        s.editing = True  # shows the answer given before
        form.ask_field(step, ctx, s.supplement_fields[0])
        return
    documents.start(step, ctx)


def after_answer(step: Step, ctx: Context) -> None:
    """An answer the office asked for was saved: the next one, then the papers."""
    s = step.state
    fields = s.supplement_fields
    index = fields.index(s.field) if s.field in fields else len(fields)
    if index + 1 < len(fields):
        s.editing = True
        form.ask_field(step, ctx, fields[index + 1])
        return
    s.editing = False
    documents.start(step, ctx)
