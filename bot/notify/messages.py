"""Feed events → short localized messages with buttons the dialog engine understands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kernel.i18n import N_, gettext_

Names = Mapping[str, str]  # {"vi": ..., "en": ...}

# Event type → message kind; events not listed make no message.
KIND_OF_EVENT = {
    "application.received": "received",
    "application.supplement_requested": "supplement_requested",
    "application.approved": "approved",
    "application.result_ready": "result_ready",
    "application.completed": "completed",
    "application.rejected": "rejected",
    "payment.confirmed": "payment_confirmed",
}
REMINDER_KINDS = ("reminder_unpaid", "reminder_supplement", "due_at_risk")
# Sent even at night: the citizen has just paid and waits for the confirmation.
URGENT_KINDS = frozenset({"payment_confirmed"})

DETAILS = N_("See details")
SEND_NOW = N_("Send the documents now")
PAY_NOW = N_("Pay the fee")
HUMAN = N_("Talk to a person")
STOP = N_("🔕 Stop the news of this application")  # the same label as in the chat

TEXTS = {
    "received": N_(
        "The ward office has received your application {code} ({procedure}). "
        "We will tell you as soon as there is news."
    ),
    "supplement_requested": N_(
        "Your application {code} ({procedure}) needs more papers: {documents}.{note}\n"
        "Please send them so the office can go on."
    ),
    "approved": N_(
        "Good news: your application {code} ({procedure}) has been approved. "
        "We will tell you when the result is ready to collect."
    ),
    "result_ready": N_("The result of your application {code} ({procedure}) is ready.{note}"),
    "completed": N_(
        "Your application {code} ({procedure}) is complete. Thank you for using Mot Cua."
    ),
    "rejected": N_(
        "We are sorry: your application {code} ({procedure}) was not accepted.{note}\n"
        "If you need help, call the ward office or press the button to talk to a person."
    ),
    "payment_confirmed": N_(
        "We have received the fee for your application {code} ({procedure}). Thank you."
    ),
    "reminder_unpaid": N_(
        "A reminder: the fee of your application {code} ({procedure}) is not paid yet. "
        "The office can approve it only after the fee is paid."
    ),
    "reminder_supplement": N_(
        "A reminder: your application {code} ({procedure}) is still waiting for the papers "
        "the office asked for: {documents}."
    ),
    "due_at_risk": N_(
        "Your application {code} ({procedure}) is due on {due}, and it is not ready yet. "
        "The office is working on it; if you are worried, press the button to talk to a person."
    ),
}
NOTE = N_("Note from the office: {note}")
# A supplement may ask for answers again (a misspelt name...), with or without papers.
ANSWERS = N_("Answers to give again: {answers}")
ONLY_ANSWERS = N_(
    "Your application {code} ({procedure}) needs some answers again: {answers}.{note}\n"
    "Please answer them so the office can go on."
)
# People who type rather than press: the words the assistant understands for it.
TYPE_TO_SEND = N_('Press the button below, or type "send the papers".')
COLLECT = N_("Where to collect it: {note}")
REASON = N_("Reason: {note}")
NOTE_LABEL = {"result_ready": COLLECT, "rejected": REASON}
SOME_PAPERS = N_("some papers")


@dataclass(frozen=True)
class Message:
    text: str
    buttons: list[list[dict[str, str]]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons}


def _button(msgid: str, lang: str, data: str) -> dict[str, str]:
    return {"text": gettext_(msgid, lang), "data": data}


def _names(lang: str, names: list[Names | str]) -> str:
    return ", ".join(
        n if isinstance(n, str) else n.get(lang, next(iter(n.values()))) for n in names
    )


def _due(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def render(
    kind: str,
    data: Mapping[str, Any],
    lang: str,
    *,
    procedure: Names | str | None = None,
    documents: list[Names | str] | None = None,
    follower: bool = False,
    answers: list[Names | str] | None = None,
) -> Message:
    """The message of `kind` about the application in `data` (an event's data).

    `procedure` is the procedure's localized name (the slug when unknown) and
    `documents` the localized names of the papers a supplement asks for. A `follower`
    (a relative who followed with the code) also gets a button to stop the news."""
    app_id = str(data.get("application_id") or "")
    note = str(data.get("note") or "").strip()
    note_line = ""
    if note:
        note_line = "\n" + gettext_(NOTE_LABEL.get(kind, NOTE), lang, note=note)
    papers = _names(lang, documents) if documents else gettext_(SOME_PAPERS, lang)
    asked = _names(lang, answers) if answers else ""
    template = TEXTS[kind]
    if kind == "supplement_requested" and asked and not documents:
        template = ONLY_ANSWERS
    text = gettext_(
        template,
        lang,
        code=data.get("tracking_code") or "",
        procedure=procedure or str(data.get("procedure") or ""),
        documents=papers,
        note=note_line,
        due=_due(data.get("due_date")),
        answers=asked,
    )
    if kind == "supplement_requested":
        if asked and documents:
            text += "\n" + gettext_(ANSWERS, lang, answers=asked)
        text += "\n" + gettext_(TYPE_TO_SEND, lang)
    rows: list[list[dict[str, str]]] = []
    if kind in ("supplement_requested", "reminder_supplement"):
        rows.append([_button(SEND_NOW, lang, f"g:supp:{app_id}")])
    if kind == "reminder_unpaid":
        rows.append([_button(PAY_NOW, lang, f"g:pay:{app_id}")])
    rows.append([_button(DETAILS, lang, f"g:app:{app_id}")])
    if kind in ("rejected", "due_at_risk"):
        rows.append([_button(HUMAN, lang, "g:human")])
    code = data.get("tracking_code")
    if follower and code:
        rows.append([_button(STOP, lang, f"g:unfollow:{code}")])
    return Message(text, rows)
