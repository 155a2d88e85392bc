"""Tracking codes as citizens type or dictate them: PX-2026-7Q4K9M.

The check character is Luhn mod N (N = 32) over the code body, the same published
scheme the back office uses (portal/domain/tracking.py). nlu/ must not import the
portal, so the scheme is restated here; a test checks that both agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from nlu.normalize import fold

ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BASE: Final = len(ALPHABET)
DEFAULT_PREFIX: Final = "PX"
BODY_LENGTH: Final = 6  # five payload characters and one check character

_CANONICAL_RE: Final = re.compile(rf"^([A-Z]{{2}})(20\d\d)([{ALPHABET}]{{{BODY_LENGTH}}})$")
# Pieces of a code as typed: letters and digits separated by spaces, dashes, dots.
_PIECE_RE: Final = re.compile(r"[^\W_]+")
_GAP_RE: Final = re.compile(r"^[\s\-_./:]{0,3}$")


def check_char(payload: str) -> str:
    """Luhn mod N check character for `payload` (characters from ALPHABET)."""
    factor = 2
    total = 0
    for ch in reversed(payload):
        addend = factor * ALPHABET.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // BASE + addend % BASE
    return ALPHABET[(BASE - total % BASE) % BASE]


def is_valid_body(body: str) -> bool:
    return (
        len(body) == BODY_LENGTH
        and all(ch in ALPHABET for ch in body)
        and check_char(body[:-1]) == body[-1]
    )


def canonical(prefix: str, year: str, body: str) -> str:
    return f"{prefix.upper()}-{year}-{body.upper()}"


def is_valid_code(code: str) -> bool:
    parts = code.split("-")
    return len(parts) == 3 and is_valid_body(parts[2])


@dataclass(frozen=True, slots=True)
class CodeMatch:
    value: str
    start: int
    end: int
    valid: bool


def _as_code(compact: str) -> str | None:
    """Canonical form of a squeezed candidate, or None when it is not code-shaped."""
    up = compact.upper()
    m = _CANONICAL_RE.match(up)
    if m:
        return canonical(*m.groups())
    # The prefix is often left out: "2026-7Q4K9M".
    if len(up) == 4 + BODY_LENGTH and up.startswith("20") and up[:4].isdigit():
        body = up[4:]
        if (
            all(ch in ALPHABET for ch in body)
            and any(ch.isdigit() for ch in body)
            and any(ch.isalpha() for ch in body)
        ):
            return canonical(DEFAULT_PREFIX, up[:4], body)
    return None


# Digits read aloud, as speech-to-text writes them ("p x hai không hai sáu ...").
_DIGIT_WORDS: Final = {
    "khong": "0",
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "lam": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


def find_codes(text: str) -> list[CodeMatch]:
    """Every tracking code in `text`: any case, dashes or spaces or none, spelled out."""
    folded = fold(unicodedata.normalize("NFC", text))
    pieces = list(_PIECE_RE.finditer(folded))
    values = [_DIGIT_WORDS.get(p.group(), p.group()) for p in pieces]
    # A code holds at least four digits (the year); most messages stop here.
    if sum(ch.isdigit() for v in values for ch in v) < 4:
        return []
    found: list[CodeMatch] = []
    i = 0
    while i < len(pieces):
        hit: CodeMatch | None = None
        compact = ""
        for j in range(i, len(pieces)):
            if j > i and not _GAP_RE.match(text[pieces[j - 1].end() : pieces[j].start()]):
                break
            compact += values[j]
            if len(compact) > 12:
                break
            value = _as_code(compact)
            if value is not None:
                body = value.rsplit("-", 1)[1]
                hit = CodeMatch(value, pieces[i].start(), pieces[j].end(), is_valid_body(body))
                i = j
                break
        if hit is not None:
            found.append(hit)
        i += 1
    return found
