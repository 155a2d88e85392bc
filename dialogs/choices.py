"""Typed words matched to the choices of the question now showing.

Every question that shows buttons leaves its choices in ``state.choices`` (label and
button data). A typed answer is matched against them the way people type: without
diacritics, short forms ("trai" for "Bé trai"), yes/no-shaped answers ("co", "roi",
"chua"), ordinals and number words ("1", "số hai", "cái đầu"), and each step's verbs
("bắt đầu", "xong", "nộp luôn", "làm tiếp", "tôi đã chuyển khoản").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from dialogs.text import fold, yes_no

# Buttons that only navigate: matched through the navigation words, never by
# ordinal, polarity or a shared word.
NAV_ACTIONS = {"back", "menu", "human", "lang", "lang:vi", "lang:en"}

# What each step's own verb sounds like when typed (folded). Keys are the action of
# the button data, without its ``s<seq>:`` / ``g:`` scope and without an id argument.
VERBS: dict[str, set[str]] = {
    "start": {
        "bat dau",
        "bat dau di",
        "lam",
        "lam di",
        "lam luon",
        "lam ngay",
        "lam thoi",
        "ok bat dau",
        "ok bat dau di",
        "start",
        "begin",
        "go",
    },
    "later": {"de sau", "sau", "khi khac", "later", "not now", "de khi khac"},
    "consent:yes": {"dong y", "toi dong y", "dong y a", "agree", "i agree"},
    "consent:no": {"khong dong y", "toi khong dong y", "disagree", "i do not agree"},
    "confirm:yes": {"nop", "nop di", "nop luon", "nop luon di", "gui", "gui di", "submit"},
    "confirm:no": {"xem lai", "kiem tra lai", "chua nop", "check again"},
    "submit": {
        "nop",
        "nop di",
        "nop luon",
        "nop luon di",
        "nop ho so",
        "nop bay gio",
        "gui",
        "gui di",
        "gui ho so",
        "submit",
        "submit it",
        "dung roi nop di",
    },
    "edit": {"sua", "sua lai", "doi", "thay doi", "chinh sua", "change", "edit", "sai"},
    "drop": {"huy ho so", "xoa ho so", "bo ho so", "delete it", "cancel the application"},
    "resume": {"lam tiep", "tiep tuc", "tiep", "lam tiep di", "continue", "go on"},
    "restart": {"lam lai", "lam lai tu dau", "lam moi", "start over", "bat dau lai tu dau"},
    "done": {
        "xong",
        "xong roi",
        "het roi",
        "du roi",
        "het",
        "tiep",
        "tiep theo",
        "done",
        "next",
        "finished",
    },
    "skip": {"bo qua", "khong co", "skip", "khong co giay nay", "i don't have it"},
    "retake": {"chup lai", "gui lai", "retake", "chup lai anh"},
    "staffok": {"dung roi", "dung", "right", "correct"},
    "leave:keep": {"giu lai", "luu lai", "de sau", "keep", "keep it"},
    "leave:drop": {"xoa", "xoa han", "xoa di", "xoa luon", "huy", "huy bo", "delete", "delete it"},
    "retype": {"go lai", "viet lai", "nhap lai", "sai", "type again", "khong dung"},
    "leave:stay": {"lam tiep", "tiep tuc", "go on", "continue"},
    "forget:yes": {"xoa", "xoa di", "xoa het", "delete", "delete it"},
    "forget:no": {"giu lai", "khong xoa", "keep", "keep it"},
    "paid": {
        "toi da chuyen khoan",
        "da chuyen khoan",
        "chuyen khoan roi",
        "da chuyen roi",
        "da tra",
        "da tra tien",
        "da thanh toan",
        "toi da tra tien",
        "i have paid",
        "i paid",
        "paid",
    },
    "mine": {"ho so cua toi", "ho so cua bac", "my applications", "my application"},
    "follow": {"theo doi", "follow"},
    "new": {"nop ho so moi", "lam ho so moi", "new application"},
    "track": {"tra cuu", "xem ho so", "check an application"},
}

# Answers of this polarity press the one button of that polarity (when there is one).
YES_ACTIONS = {"start", "consent:yes", "confirm:yes", "submit", "resume", "done", "staffok"}
YES_ACTIONS |= {"leave:keep", "forget:yes", "keepheld"}
NO_ACTIONS = {"later", "consent:no", "confirm:no", "leave:stay", "forget:no", "retype"}

# First words of a label that give a choice its polarity ("Có ghi tên bố", "Chưa ...").
_YES_LEAD = {"co", "da", "yes", "vang", "dung"}
_NO_LEAD = {"khong", "chua", "no", "not"}

# Extra yes/no words beyond dialogs.text.yes_no: "roi" is how "đã ... rồi" is answered.
_MORE_YES = {"roi", "co roi", "da roi", "u", "ua", "ok", "oke", "uk", "uh", "duoc roi", "phai"}
_MORE_NO = {"chua co", "khong phai", "chua a", "khong co a"}

# Words people write around an answer (particles, "please", "child" as address...).
_FILLER = {
    "a",
    "ah",
    "nhe",
    "nha",
    "nghe",
    "di",
    "chau",
    "em",
    "oi",
    "thi",
    "la",
    "please",
    "the",
    "toi",
    "chon",
    "cho",
}

# Same meaning, other word (Hue forms and plain words included).
_SAME = {
    "nam": "trai",
    "boy": "trai",
    "nu": "gai",
    "girl": "gai",
}

_ORDINALS = {
    "mot": 1,
    "nhat": 1,
    "dau": 1,
    "dau tien": 1,
    "first": 1,
    "one": 1,
    "hai": 2,
    "nhi": 2,
    "second": 2,
    "two": 2,
    "ba": 3,
    "third": 3,
    "three": 3,
    "bon": 4,
    "tu": 4,
    "fourth": 4,
    "four": 4,
    "nam": 5,
    "fifth": 5,
    "five": 5,
    "sau": 6,
    "six": 6,
}
_ORDINAL_LEAD = {"so", "cai", "thu", "y", "lua chon", "nut", "number", "option", "the"}
_LAST = {"cuoi", "cuoi cung", "last", "cai cuoi", "cai cuoi cung", "sau cung"}
_EMOJI = re.compile(r"^[^\w]+", re.UNICODE)


@dataclass(frozen=True)
class Match:
    """The button data the typed words stand for, or the candidates when unsure."""

    data: str | None = None
    ambiguous: tuple[str, ...] = ()
    how: str = ""  # exact, verb, polarity, ordinal, words, fuzzy: for tests and logs


def action_of(data: str) -> str:
    """``s12:ans:male`` -> ``ans:male``; ``g:paid:<id>`` -> ``paid``."""
    scope, _, action = data.partition(":")
    if scope == "g":
        verb = action.partition(":")[0]
        return action if verb == "lang" else verb
    return action


@lru_cache(maxsize=4096)
def clean_label(label: str) -> str:
    """The label folded, without its leading emoji (remembered, as ``fold``)."""
    return fold(_EMOJI.sub("", label))


def polarity(data: str, label: str) -> bool | None:
    action = action_of(data)
    if action in YES_ACTIONS:
        return True
    if action in NO_ACTIONS:
        return False
    if action.startswith("ans:"):
        words = clean_label(label).split()
        if words and words[0] in _YES_LEAD:
            return True
        if words and words[0] in _NO_LEAD:
            return False
    return None


def typed_polarity(text: str, parsed: dict[str, Any] | None) -> bool | None:
    folded = fold(text).rstrip(".!")
    if folded in _MORE_YES:
        return True
    if folded in _MORE_NO:
        return False
    said = yes_no(text)
    if said is not None:
        return said
    words = folded.split()
    if words and words[0] in {"u", "ua", "ok", "oke", "roi", "duoc"} and "khong" not in words:
        return True
    if parsed:
        intent = parsed.get("intent") or {}
        if float(intent.get("confidence") or 0) >= 0.7:
            if intent.get("name") == "affirm":
                return True
            if intent.get("name") == "deny":
                return False
    return None


def _ordinal(folded: str) -> int | None:
    """1-based position, or -1 for "the last one"."""
    text = folded.lstrip("#").strip()
    words = [w for w in text.split() if w not in _FILLER]
    text = " ".join(words)
    if text in _LAST:
        return -1
    for lead in sorted(_ORDINAL_LEAD, key=len, reverse=True):
        if text.startswith(lead + " "):
            text = text[len(lead) + 1 :]
            break
    else:
        if not text.isdigit():
            return None  # a bare number word ("ba") is a number only after a lead word
    if text.isdigit():
        return int(text)
    if text in _LAST:
        return -1
    return _ORDINALS.get(text)


def _content(folded: str) -> list[str]:
    return [_SAME.get(w, w) for w in folded.split() if w not in _FILLER]


def match(
    text: str,
    choices: Sequence[tuple[str, str]],
    parsed: dict[str, Any] | None = None,
    *,
    loose: bool = True,
) -> Match:
    """Match typed ``text`` to one of ``choices`` (label, data).

    ``loose`` allows the guesses (polarity, ordinals, shared words, fuzzy); a value
    question passes False so that only a label or a verb typed in full counts.
    """
    folded = fold(text).rstrip(".!?").strip()
    if not folded or not choices:
        return Match()
    # 1. The label itself, or the step's verb.
    for label, data in choices:
        if folded == clean_label(label) or action_of(data) == "ans:" + folded.replace(" ", "_"):
            return Match(data, how="exact")  # the label, or the choice's own value
    hits = [data for label, data in choices if folded in VERBS.get(action_of(data), ())]
    if len(hits) == 1:
        return Match(hits[0], how="verb")
    if len(set(hits)) > 1:
        return Match(ambiguous=tuple(hits), how="verb")
    if not loose:
        return Match()
    options = [(label, data) for label, data in choices if action_of(data) not in NAV_ACTIONS]
    # 2. Yes or no, when the question has one button of that shape.
    said = typed_polarity(text, parsed)
    if said is not None:
        shaped = [data for label, data in options if polarity(data, label) is said]
        if len(shaped) == 1:
            return Match(shaped[0], how="polarity")
    # 3. "1", "số hai", "cái đầu", "cái cuối".
    position = _ordinal(folded)
    if position is not None and len(options) >= 2:
        if position == -1:
            return Match(options[-1][1], how="ordinal")
        if 1 <= position <= len(options):
            return Match(options[position - 1][1], how="ordinal")
    if len(options) < 2:
        return Match()
    # 4. The choice with the most words of its own typed ("trai" -> "Bé trai", "khai tử"
    # -> "Giấy khai tử"); a tie ("khai" between "khai sinh" and "khai tử") is asked.
    typed = set(_content(folded))
    words = {data: set(_content(clean_label(label))) for label, data in options}
    common = set.intersection(*words.values()) if words else set()
    known = typed & set().union(*words.values())
    scores = {data: len(typed & (ws - common)) for data, ws in words.items()}
    most = max(scores.values())
    leaders = [data for data, score in scores.items() if score == most]
    # Mostly the choice's own words: "con trai" yes, "để tôi xem" (one shared word) no.
    if most and len(leaders) == 1 and len(typed - known) <= min(1, len(known)):
        return Match(leaders[0], how="words")
    if most and len(leaders) >= 2 and typed <= known:
        return Match(ambiguous=tuple(leaders), how="words")
    # 5. A typo of a label or a verb ("bat dua", "nop ho s").
    scored: list[tuple[float, str]] = []
    for label, data in options:
        forms = [clean_label(label), *VERBS.get(action_of(data), ())]
        scored.append((max(fuzz.ratio(folded, f) for f in forms), data))
    scored.sort(reverse=True)
    best, data = scored[0]
    if best >= 85 and (len(scored) == 1 or scored[1][0] < best - 5):
        return Match(data, how="fuzzy")
    if best >= 85:
        return Match(ambiguous=tuple(d for s, d in scored if s >= best - 5), how="fuzzy")
    return Match()
