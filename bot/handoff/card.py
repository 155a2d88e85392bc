"""The topic's title and the context card the support team reads first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_client import Procedure
from bot.handoff import texts
from bot.handoff.mask import mask_value
from dialogs import State
from motcua.i18n import gettext_

MAX_TITLE = 128  # Telegram's limit for a forum topic's name


def procedure_name(procedures: Mapping[str, Procedure], slug: str | None) -> str:
    if not slug:
        return gettext_(texts.NOTHING, "vi")
    proc = procedures.get(slug)
    return proc.name.get("vi", slug) if proc else slug


def step_name(state: State, procedures: Mapping[str, Procedure]) -> str:
    if state.flow == "form" and state.field and state.procedure and state.procedure in procedures:
        field = next((f for f in procedures[state.procedure].fields if f.name == state.field), None)
        if field is not None:
            return field.label.get("vi", state.field)
    if state.flow == "documents" and state.doc:
        return f"{state.flow}: {state.doc}"
    return state.flow


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
    lines = "\n".join(f"• {k}: {mask_value(v)}" for k, v in answers.items())
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
        shown = "\n".join(f"› {mask_value(m)[:300]}" for m in last_messages[-3:])
        card += "\n\n" + gettext_(texts.CARD_LAST, "vi", messages=shown)
    return card + "\n\n" + gettext_(texts.CARD_HELP, "vi")
