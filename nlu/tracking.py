"""Tracking codes as citizens type or dictate them: PX-2026-7Q4K9M.

Shape: a ward prefix (2-4 letters), the 4-digit year, five random characters from
ALPHABET and a check character. The check scheme is the back office's, restated here
because nlu/ must not import portal/ (see portal/domain/tracking.py; a test checks
that both agree): the Damm algorithm over GF(2^5) with modulus x^5 + x^2 + 1, where
prefix letters count as A=0..Z=25, year digits as their value and the random
characters as their index in ALPHABET.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from nlu.normalize import fold

ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DEFAULT_PREFIX: Final = "PX"
KNOWN_PREFIXES: Final = frozenset({DEFAULT_PREFIX})
BODY_LENGTH: Final = 6  # five random characters and one check character
_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}

_CANONICAL_RE: Final = re.compile(rf"^([A-Z]{{2,4}})(\d{{4}})([{ALPHABET}]{{{BODY_LENGTH}}})$")
# In free text only this century's years count, so "sđt 0912 345 678" is no code.
_YEAR_RE: Final = re.compile(r"^20\d\d$")
_MAX_COMPACT: Final = 4 + 4 + BODY_LENGTH
# Pieces of a code as typed: letters and digits separated by spaces, dashes, dots.
_PIECE_RE: Final = re.compile(r"[^\W_]+")
_GAP_RE: Final = re.compile(r"^[\s\-_./:]{0,3}$")


def _mul2(value: int) -> int:
    """Multiply by x in GF(2^5) modulo x^5 + x^2 + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _damm(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _mul2(interim) ^ value
    return interim


def _values(prefix: str, year: str, body: str) -> list[int]:
    return (
        [ord(ch) - ord("A") for ch in prefix]
        + [int(ch) for ch in year]
        + [_VALUE[ch] for ch in body]
    )


def check_char(prefix: str, year: str, body: str) -> str:
    """The check character for prefix + year + the five random characters."""
    return ALPHABET[_mul2(_damm(_values(prefix, year, body)))]


def canonical(prefix: str, year: str, body: str) -> str:
    return f"{prefix.upper()}-{year}-{body.upper()}"


def is_valid_code(code: str) -> bool:
    """True for a canonical code whose check character is right."""
    m = _CANONICAL_RE.match(code.replace("-", "")) if code.count("-") == 2 else None
    if m is None or canonical(*m.groups()) != code:
        return False
    return _damm(_values(*m.groups())) == 0


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
        prefix, year, body = m.groups()
        if not _YEAR_RE.match(year) or (body.isdigit() and prefix != DEFAULT_PREFIX):
            return None
        return canonical(prefix, year, body)
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


def _prefix_ok(code: str, parts: list[str], typed: list[str], dashed: bool) -> bool:
    """Is the prefix really typed as one? It must be one word ("PX", "px2026...") or
    spelled letter by letter ("p x"), never a preceding word glued on ("la PX2026" is
    not "LAPX-2026"); a lowercase word set apart from the year by a space must be a
    known prefix ("hồ sơ 2026-7Q4K9M" is the ward's code, not "SO-2026-7Q4K9M")."""
    if parts[0][:1].isdigit():  # no prefix typed: the default one was added
        return code.startswith(DEFAULT_PREFIX + "-")
    prefix = code.split("-")[0]
    need = len(prefix)
    used: list[str] = []
    for part in parts:
        if need <= 0:
            break
        used.append(part)
        need -= len(part)
    if len(used) > 1:
        return all(len(p) == 1 for p in used)
    if len(parts[0]) > len(prefix):  # glued to the year
        return True
    return prefix in KNOWN_PREFIXES or typed[0].isupper() or dashed


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
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    pieces = list(_PIECE_RE.finditer(folded))
    values = [_DIGIT_WORDS.get(p.group(), p.group()) for p in pieces]
    typed = [text[p.start() : p.end()] for p in pieces]
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
            if len(compact) > _MAX_COMPACT:
                break
            value = _as_code(compact)
            dashed = "-" in text[pieces[i].end() : pieces[min(i + 1, j)].start()]
            if value is not None and _prefix_ok(value, values[i : j + 1], typed[i : j + 1], dashed):
                hit = CodeMatch(value, pieces[i].start(), pieces[j].end(), is_valid_code(value))
                i = j
                break
        if hit is not None:
            found.append(hit)
        i += 1
    return found
