"""Folding text for diacritic-insensitive comparison."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFC/NFD-proof, lowercase, without tone marks or đ, punctuation as spaces.

    "Công Chứng" -> "cong chung"; decomposed input and old/new tone placement
    (hoà/hòa) fold to the same string.
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _NOT_WORD.sub(" ", text.lower().replace("_", " "))
    return _SPACES.sub(" ", text).strip()
