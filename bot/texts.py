"""The few texts the shell says itself (everything else comes from the engine)."""

from __future__ import annotations

from dialogs import Btn, Reply
from kernel.i18n import N_, gettext_

CRASHED = N_(
    "Sorry, something went wrong on our side. Your answers are kept. "
    "Please try again, or press Talk to a person."
)
BUSY = N_(
    "The system is busy right now. Nothing is lost. Please send your message again in a minute."
)
MENU = N_("🏠 Menu")
HUMAN = N_("🙋 Talk to a person")


def recovery_buttons(lang: str) -> tuple[tuple[Btn, ...], ...]:
    # "g:" buttons are valid at any step of the engine.
    return ((Btn(gettext_(MENU, lang), "g:menu"), Btn(gettext_(HUMAN, lang), "g:human")),)


def crashed(lang: str) -> Reply:
    return Reply(text=gettext_(CRASHED, lang), buttons=recovery_buttons(lang), kind="error")


def busy(lang: str) -> Reply:
    return Reply(text=gettext_(BUSY, lang), buttons=recovery_buttons(lang), kind="error")
