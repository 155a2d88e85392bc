"""Building blocks of replies: buttons bound to the current step, the navigation row."""

from __future__ import annotations

from dialogs.i18n import N_, t
from dialogs.replies import Btn, Reply
from dialogs.state import State, Step
from dialogs.text import fold


def next_question(s: State) -> None:
    """A new question: older step buttons become stale, the keyboard map is reset."""
    s.seq += 1
    if s.keyboard:
        s.old_keyboard = list(s.keyboard)
    s.keyboard = {}


def sbtn(s: State, label: str, action: str) -> Btn:
    """A button valid only for the question now showing."""
    return Btn(label, f"s{s.seq}:{action}")


def gbtn(label: str, action: str) -> Btn:
    """A button valid at any time (menu entries, opening an application...)."""
    return Btn(label, f"g:{action}")


def nav_row(s: State, *, back: bool = True) -> tuple[Btn, ...]:
    row = []
    if back:
        row.append(sbtn(s, t(s.lang, N_("⬅ Back")), "back"))
    row.append(gbtn(t(s.lang, N_("🏠 Menu")), "menu"))
    row.append(gbtn(t(s.lang, N_("🙋 Talk to a person")), "human"))
    return tuple(row)


def say(step: Step, text: str, *rows: tuple[Btn, ...], kind: str = "say") -> None:
    step.replies.append(Reply(text=text, buttons=tuple(r for r in rows if r), kind=kind))  # type: ignore[arg-type]


def ask_with_keyboard(
    step: Step, text: str, options: list[tuple[str, str]], extra: tuple[Btn, ...] = ()
) -> None:
    """Choices as big reply-keyboard buttons (one per row); the labels the user sends
    back are mapped to step-bound actions in ``state.keyboard``."""
    s = step.state
    rows: list[tuple[Btn, ...]] = []
    for label, action in options:
        button = sbtn(s, label, action)
        s.keyboard[fold(label)] = button.data
        rows.append((button,))
    for button in extra:
        s.keyboard[fold(button.label)] = button.data
        rows.append((button,))
    step.replies.append(Reply(text=text, buttons=tuple(rows), layout="keyboard", kind="ask"))
