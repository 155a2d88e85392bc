"""Engine replies → Zalo messages. Pure. Zalo has no buttons: every set of choices is a
short numbered list under its question ("Bác gõ số hoặc gõ chữ: 1. Bé trai  2. Bé
gái"), eight to a page with "9. Xem thêm" when there are more; texts are cut at 2000
characters on line boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.render import split_text
from dialogs import Btn, Media, Reply
from kernel.i18n import N_, gettext_

MAX_TEXT = 2000  # Zalo's limit for a message and for a photo's caption
PAGE = 8  # choices per page when there are more than 9; "9" shows the next page
MORE_NUMBER = 9
INLINE_WIDTH = 60  # a list this short fits on the question's last line

TYPE_NUMBER = N_("Type a number or the words:")
TYPE_WORDS = N_("Type the words:")
MORE = N_("More choices")
# Questions whose answer is typed digits: a bare number there is the answer, never a
# choice, so their choices are listed without numbers.
DIGIT_ANSWERS = frozenset({"number", "date", "citizen_id", "phone"})


@dataclass
class Menu:
    """The choices a chat was last shown, and which page of them."""

    buttons: list[Btn]
    numbered: bool = True
    page: int = 0
    pageable: bool = True  # False once news buttons were numbered after the question's

    @property
    def paged(self) -> bool:
        return self.pageable and len(self.buttons) > MORE_NUMBER

    @property
    def pages(self) -> int:
        return (len(self.buttons) + PAGE - 1) // PAGE if self.paged else 1

    def shown(self) -> list[Btn]:
        if not self.paged:
            return self.buttons
        return self.buttons[self.page * PAGE : (self.page + 1) * PAGE]

    def pick(self, number: int) -> Btn | None:
        """The choice numbered ``number`` on the page shown; None if there is none."""
        shown = self.shown()
        if self.numbered and 1 <= number <= len(shown):
            return shown[number - 1]
        return None

    def wants_more(self, number: int) -> bool:
        return self.numbered and self.paged and number == MORE_NUMBER

    def next_page(self) -> None:
        self.page = (self.page + 1) % self.pages

    def text(self, lang: str) -> str:
        shown = self.shown()
        if not self.numbered:
            items = [f"- {b.label}" for b in shown]
            return gettext_(TYPE_WORDS, lang) + "\n" + "\n".join(items)
        items = [f"{i}. {b.label}" for i, b in enumerate(shown, start=1)]
        if self.paged:
            items.append(f"{MORE_NUMBER}. {gettext_(MORE, lang)} ({self.page + 1}/{self.pages})")
        head = gettext_(TYPE_NUMBER, lang)
        inline = "  ".join(items)
        if len(inline) <= INLINE_WIDTH and not self.paged:
            return f"{head} {inline}"
        return head + "\n" + "\n".join(items)


@dataclass(frozen=True)
class Outgoing:
    """One Zalo message: a text, or a photo (its URL made by the channel) with a caption."""

    text: str
    media: Media | None = None


@dataclass
class Rendered:
    messages: list[Outgoing] = field(default_factory=list)
    menu: Menu | None = None  # None: the turn offered no choice


def expects(replies: list[Reply]) -> str | None:
    return next(
        (r.extra.get("expects") for r in reversed(replies) if r.kind in ("ask", "error")),
        None,
    )


def render(replies: list[Reply], lang: str) -> Rendered:
    """Every reply's text (and picture); the turn's choices, all of them, in one list
    under the last reply that has any."""
    buttons = [b for r in replies for b in r.flat_buttons]
    menu = None
    if buttons:
        menu = Menu(buttons, numbered=expects(replies) not in DIGIT_ANSWERS)
    last_with_buttons = max((i for i, r in enumerate(replies) if r.buttons), default=-1)
    out = Rendered(menu=menu)
    for index, reply in enumerate(replies):
        text = reply.text or ""
        if index == last_with_buttons and menu is not None:
            text = f"{text}\n\n{menu.text(lang)}" if text else menu.text(lang)
        out.messages.extend(messages_of(text, reply.media))
    return out


def messages_of(text: str, media: Media | None) -> list[Outgoing]:
    if media is not None:
        if len(text) <= MAX_TEXT:
            return [Outgoing(text, media)]
        return [Outgoing("", media), *(Outgoing(c) for c in split_text(text, MAX_TEXT))]
    if not text.strip():
        return []
    return [Outgoing(c) for c in split_text(text, MAX_TEXT)]


def page_text(menu: Menu, lang: str) -> str:
    """The next page of a long list, asked for with "9"."""
    return menu.text(lang)
