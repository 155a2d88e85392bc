"""The name a sender gave a file, made safe to keep and to offer back in a download.

The name is only a label (the file is stored under its hash): it keeps its letters,
Vietnamese included, and loses whatever could disguise it or reach outside a folder
— control and bidi characters (``a`` + U+202E + ``gpj.exe`` shows as ``aexe.jpg``), path
separators, characters Windows refuses, leading dots — and is cut to a length every
file system and browser takes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MAX_NAME_CHARS: Final = 120
_MAX_SUFFIX_CHARS: Final = 10
DEFAULT_NAME: Final = "file"

# Control (Cc), format (Cf: bidi overrides and isolates, LRM/RLM, zero-width...),
# surrogates (Cs), private use (Co), unassigned (Cn), line/paragraph separators.
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Reserved on Windows, or quoting characters in a Content-Disposition header.
_RESERVED: Final = re.compile(r'[<>:"|?*\\/]')
_SPACES: Final = re.compile(r"\s+")


def safe_filename(name: str | None) -> str:
    """``name`` without its folders and without characters that could mislead or escape."""
    if not name:
        return DEFAULT_NAME
    # The last path part, whichever separator the sender's system used.
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    kept = "".join(
        " " if ch.isspace() else ch  # tabs, line breaks, no-break spaces...
        for ch in base
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    kept = _RESERVED.sub("_", kept)
    kept = _SPACES.sub(" ", kept).strip(" .")
    if not kept:
        return DEFAULT_NAME
    return _shorten(kept)


def _shorten(name: str) -> str:
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= _MAX_SUFFIX_CHARS:
        return stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip(" .") + "." + suffix
    return name[:MAX_NAME_CHARS].rstrip(" .")


def ascii_fallback(name: str) -> str:
    """An ASCII spelling of ``name`` for clients that ignore ``filename*``:
    Vietnamese letters lose their marks (đ → d), anything else becomes ``_``."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "~" else "_" for ch in plain) or DEFAULT_NAME
