"""Small text helpers: folding for comparison, yes/no in the many ways people say it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lowercase, no diacritics (đ -> d), single spaces: for comparing what people type.
    Remembered: a turn folds the same button labels and menu entries a dozen times."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^\w\s/.-]", " ", text.lower())
    return _SPACES.sub(" ", text).strip()


_YES = {
    "co",
    "vang",
    "da",
    "u",
    "uh",
    "um",
    "dong y",
    "ok",
    "oke",
    "okay",
    "duoc",
    "yes",
    "y",
    "dung",
    "dung roi",
    "chac chan",
    "co a",
    "vang a",
    "da vang",
    "da co",
    "uoc",
    "ung",
    "yes please",
    "sure",
    "agree",
    "i agree",
    "nop",
    "nop di",
    "dong y a",
    "dong y nop",
}
_NO = {
    "khong",
    "ko",
    "k",
    "khg",
    "hong",
    "khong a",
    "thoi",
    "no",
    "n",
    "chua",
    "de sau",
    "khong dong y",
    "nope",
    "not now",
    "later",
    "khong nop",
    "huy",
    "thoi khoi",
}


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when it is neither."""
    folded = fold(text).rstrip(".!")
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    words = folded.split()
    if words and words[0] in {"khong", "ko", "no", "chua"}:
        return False
    if words and words[0] in {"co", "vang", "da", "yes", "dong"} and "khong" not in words:
        return True
    return None
