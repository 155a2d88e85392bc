"""The topic's title and the context card the support team reads first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_client import Procedure
from bot.handoff import texts
from bot.handoff.mask import mask_value
from dialogs import State
from kernel.i18n import gettext_

MAX_TITLE = 128  # Telegram's limit for a forum topic's name
LAST, LAST_CHARS = 4, 200  # the assistant's last texts on the card (state.recent)


def procedure_name(procedures: Mapping[str, Procedure], slug: str | None) -> str:
    if not slug:
        return gettext_(texts.NOTHING, "vi")
    proc = procedures.get(slug)
    return proc.name.get("vi", slug) if proc else slug


def step_name(state: State, procedures: Mapping[str, Procedure]) -> str:
    """The step in the support team's words: the question or the paper being asked."""
    proc = procedures.get(state.procedure or "")
    if state.flow == "form" and state.field and proc is not None:
        field = next((f for f in proc.fields if f.name == state.field), None)
        if field is not None:
            return field.label.get("vi", state.field)
    if state.flow == "documents" and state.doc:
        doc = next((d for d in proc.documents if d.code == state.doc), None) if proc else None
        paper = doc.name.get("vi", state.doc) if doc else state.doc
        return gettext_(texts.STEP_PAPER, "vi", paper=paper)
    known = texts.FLOWS.get(state.flow)
    return gettext_(known, "vi") if known else state.flow


def answer_label(procedures: Mapping[str, Procedure], slug: str | None, name: str) -> str:
    """The catalog's short label of an answer ("Tên của bé"), else its field name."""
    proc = procedures.get(slug or "")
    field = next((f for f in proc.fields if f.name == name), None) if proc else None
    if field is None:
        return name
    return (field.short_label or field.label).get("vi", name)


def topic_title(name: str, state: State, procedures: Mapping[str, Procedure]) -> str:
    parts = [name or "?"]
    if state.procedure:
        proc = procedures.get(state.procedure)
        short = (proc.short_name or proc.name).get("vi") if proc else state.procedure
        parts.append(short or state.procedure)
    parts.append(step_name(state, procedures))
    title = " · ".join(p for p in parts if p)
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def context_card(
    case_id: int,
    name: str,
    state: State,
    procedures: Mapping[str, Procedure],
    last_messages: list[str],
) -> str:
    answers: dict[str, Any] = state.answers
    lines = "\n".join(
        f"• {answer_label(procedures, state.procedure, k)}: {mask_value(v)}"
        for k, v in answers.items()
    )
    card = gettext_(
        texts.CARD,
        "vi",
        case=case_id,
        name=name or "?",
        procedure=procedure_name(procedures, state.procedure),
        step=step_name(state, procedures),
        app=state.app_id or gettext_(texts.NOTHING, "vi"),
        documents=sum(state.docs.values()),
        answers=lines or gettext_(texts.NOTHING, "vi"),
    )
    if last_messages:
        shown = "\n".join(f"› {mask_value(m)[:LAST_CHARS]}" for m in last_messages[-LAST:])
        card += "\n\n" + gettext_(texts.CARD_LAST, "vi", messages=shown)
    return card + "\n\n" + gettext_(texts.CARD_HELP, "vi")
