"""Greeting, main menu, language, help, talking to a person."""

from __future__ import annotations

from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.i18n import N_, t
from dialogs.replies import Btn
from dialogs.state import Step
from dialogs.ui import gbtn, next_question, say

MENU = (
    ("new", N_("📝 Submit a new application")),
    ("track", N_("🔎 Check an application")),
    ("mine", N_("📂 My applications")),
    ("info", N_("📋 Papers and fees")),
    ("human", N_("🙋 Talk to a support officer")),
    ("lang", N_("🌐 Language / Ngôn ngữ")),
)


def greeting(lang: str, ctx: Context) -> str:
    # The AI law (134/2025) requires saying plainly that this is a machine.
    return t(
        lang,
        N_(
            "Hello! I am the automated assistant (a computer program, not a person) "
            "of {office}. I help you prepare and submit papers, one step at a time."
        ),
        office=ctx.office.name,
    )


def language_row() -> tuple[Btn, ...]:
    return (gbtn("🇻🇳 Tiếng Việt", "lang:vi"), gbtn("🇬🇧 English", "lang:en"))


def choose_language(step: Step) -> None:
    s = step.state
    if s.flow not in ("language", "menu"):
        s.resume_flow = s.flow  # come back to the same question after choosing
    s.flow = "language"
    next_question(s)
    say(step, t(s.lang, N_("Which language would you like?")), language_row(), kind="ask")


def show_menu(step: Step, intro: str | None = None) -> None:
    s = step.state
    s.flow = "menu"
    s.editing = False
    next_question(s)
    text = intro + "\n\n" if intro else ""
    text += t(s.lang, N_("What would you like to do? Press a button, or type in your own words."))
    say(step, text, *((gbtn(t(s.lang, label), action),) for action, label in MENU), kind="ask")


def help_text(step: Step) -> None:
    s = step.state
    say(
        step,
        t(
            s.lang,
            N_(
                "You can press the buttons, or type what you need in your own words. "
                'Type "back" to go back one step, "menu" to start again, or '
                '"talk to a person" for help from a support officer. /mydata shows what '
                "is kept about you and lets you delete it."
            ),
        ),
    )


def request_human(step: Step, ctx: Context, reason: str) -> None:
    s = step.state
    s.pending = "request_human"
    step.effects.append(
        Effect(
            "request_human",
            {
                "reason": reason,
                "flow": s.flow,
                "procedure": s.procedure,
                "app_id": s.app_id,
                "field": s.field,
                "lang": s.lang,
            },
        )
    )


def after_human_request(step: Step, ctx: Context, ok: bool, value: object = None) -> None:
    """One message, and no menu or question after it: a person is what they asked for."""
    s = step.state
    outcome = value if isinstance(value, dict) else {}
    if ok and outcome.get("relayed"):
        return  # the support team's own notice (expected wait, the way back) is the answer
    if ok and outcome.get("queued"):
        text = t(
            s.lang,
            N_(
                "I have asked a support officer to help you. They will write to you in this "
                "chat as soon as they can (office hours: {hours}). You can also call {phone}."
            ),
            hours=ctx.office.hours_text(s.lang),
            phone=ctx.office.phone,
        )
    else:
        text = t(
            s.lang,
            N_("I could not reach the support team just now. Please call {phone}."),
            phone=ctx.office.phone,
        )
    say(step, text)


def office_info(step: Step, ctx: Context) -> None:
    s = step.state
    say(
        step,
        t(
            s.lang,
            N_("{office}\nAddress: {address}\nOpening hours: {hours}\nPhone: {phone}"),
            office=ctx.office.name,
            address=ctx.office.address,
            hours=ctx.office.hours_vi if s.lang == "vi" else ctx.office.hours_en,
            phone=ctx.office.phone,
        ),
    )
