"""Text normalisation: the views of a message that the classifier and the extractors read.

Every view keeps one character per character of the NFC text, so offsets found in a
view are offsets in the NFC text (see `Normalized.to_original` for decomposed input).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

# Vietnamese tone marks (combining); the other marks (circumflex, breve, horn) change
# the vowel itself and stay in the accented view.
_TONE_MARKS: Final = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_TELEX_TONES: Final = "sfrxj"
TOKEN_RE: Final = re.compile(r"[^\W_]+", re.UNICODE)
_REPEATS: Final = re.compile(r"(.)\1+")

# Hue / central dialect words that are unambiguous when typed with their diacritics.
DIALECT_ACCENTED: Final[dict[str, str]] = {
    "chi": "gì",
    "mô": "đâu",
    "răng": "sao",
    "rứa": "vậy",
    "ni": "này",
    "tê": "kia",
    "nớ": "đó",
    "ri": "vậy",
    "chừ": "bây giờ",
    "mần": "làm",
    "tui": "tôi",
    "o": "cô",
    "mệ": "bà",
    "ôn": "ông",
    "ưng": "muốn",
    "hỉ": "nhé",
    "hè": "nhé",
    "sanh": "sinh",
}
# The same words without diacritics, only where the folded form has no common
# standard meaning that would be destroyed ("o" is also "ở", "mo" also "mở").
DIALECT_FOLDED: Final[dict[str, str]] = {"ni": "nay", "tui": "toi", "sanh": "sinh"}
# Spelled-out chat abbreviations seen in Vietnamese texting.
ABBREVIATIONS: Final[dict[str, str]] = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "hong": "khong",
    "dc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "đk": "dang ky",
    "j": "gi",
    "z": "vay",
    "v": "vay",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "bh": "bao gio",
    "mik": "minh",
    "mk": "minh",
    "t": "toi",
    "cmnd": "cmnd",
    "cccd": "cccd",
    "ubnd": "uy ban",
    "ub": "uy ban",
    "sdt": "so dien thoai",
    "thx": "thanks",
    "tks": "thanks",
    "pls": "please",
    "plz": "please",
    "r": "roi",
    "ok": "ok",
    "ki": "ky",
    "kí": "ký",
    "oke": "ok",
    "okie": "ok",
    "uh": "u",
    "uhm": "u",
    "ừm": "u",
}


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    low = ch.lower()
    if len(low) != 1:
        low = ch
    base = unicodedata.normalize("NFD", low)[0]
    return base


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lowercase and strip all diacritics, one output character per input character."""
    return "".join(_fold_char(ch) for ch in text)


def _tone_canonical_word(word: str) -> str:
    """Remove the tone mark wherever it sits and append it as a digit: hoà, hòa -> hoa2."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


@lru_cache(maxsize=8192)
def tone_canonical(word: str) -> str:
    return _tone_canonical_word(word)


def has_diacritics(text: str) -> bool:
    return any(ord(ch) > 127 and ch.isalpha() for ch in text)


def telex_candidates(token: str) -> Iterable[str]:
    """Plausible intended words for a token with Telex keystrokes left in it."""
    seen: set[str] = set()
    bases = [token]
    replaced = (
        token.replace("dd", "d")
        .replace("aa", "a")
        .replace("ee", "e")
        .replace("oo", "o")
        .replace("aw", "a")
        .replace("ow", "o")
        .replace("uw", "u")
    )
    if replaced != token:
        bases.append(replaced)
    squeezed = _REPEATS.sub(r"\1", token)  # "cảm ơnnn", "chàooo"
    if squeezed != token:
        bases.append(squeezed)
    for base in bases:
        forms = [base]
        if len(base) > 1 and base[-1] in _TELEX_TONES:
            forms.append(base[:-1])
        # a tone key typed in the middle: "khasi" is rare, "khais" common; also "gias"
        for i in range(1, len(base) - 1):
            if base[i] in _TELEX_TONES and base[i - 1] in "aeiouy":
                forms.append(base[:i] + base[i + 1 :])
        for form in forms:
            if form and form != token and form not in seen:
                seen.add(form)
                yield form


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # NFC lowercase surface
    norm: str  # folded, Telex-repaired, typo-corrected, dialect-mapped (may hold spaces)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    nfc: str
    folded: str  # same length as nfc
    tokens: tuple[Token, ...]
    accented: bool

    @property
    def norm_text(self) -> str:
        """The folded, repaired view fed to the classifier and the lexicon."""
        return " ".join(t.norm for t in self.tokens)

    @property
    def tone_text(self) -> str:
        """The accented view with tone marks moved to a canonical place."""
        return " ".join(tone_canonical(t.text) for t in self.tokens)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map an NFC span back onto the text as it was received."""
        if self.nfc == self.original:
            return start, end
        offsets = _nfc_offsets(self.original)
        return offsets[start], offsets[end]


def _nfc_offsets(original: str) -> list[int]:
    """offsets[i] = index in `original` where NFC character i starts (plus the end)."""
    offsets: list[int] = []
    i = 0
    n = len(original)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        composed = unicodedata.normalize("NFC", original[i:j])
        offsets.extend([i] * len(composed))
        i = j
    offsets.append(n)
    return offsets


Corrector = Callable[[str], str]

# Without diacritics "chi" is "chị" (elder sister) or "chi phí"; after these words it is
# the Hue "chi" (= gì, what): "can chi", "lam chi", "cai chi".
_CHI_AFTER: Final = frozenset(
    {"can", "lam", "man", "cai", "mang", "giay", "la", "hoi", "de", "thu"}
)


def _chi_means_gi(matches: list[re.Match[str]], idx: int, folded: str) -> bool:
    prev = folded[matches[idx - 1].start() : matches[idx - 1].end()] if idx > 0 else ""
    nxt = (
        folded[matches[idx + 1].start() : matches[idx + 1].end()] if idx + 1 < len(matches) else ""
    )
    return nxt not in ("phi", "tiet", "nhanh", "tra", "tieu") and (
        prev in _CHI_AFTER or nxt in ("rua", "ri", "ha", "hi", "he", "rua")
    )


def normalize(text: str, correct: Corrector | None = None) -> Normalized:
    """Build every view of `text`; `correct` maps an unknown folded token to a known one."""
    nfc = unicodedata.normalize("NFC", text)
    lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in nfc)
    folded = fold(lower)
    accented = has_diacritics(lower)
    tokens: list[Token] = []
    matches = list(TOKEN_RE.finditer(lower))
    for idx, m in enumerate(matches):
        surface = m.group()
        f = folded[m.start() : m.end()]
        nxt = matches[idx + 1].group() if idx + 1 < len(matches) else ""
        if accented and surface in DIALECT_ACCENTED:
            if surface == "chi" and fold(nxt) in ("phi", "tiet", "nhanh", "tra", "tieu"):
                norm = f
            else:
                norm = fold(DIALECT_ACCENTED[surface])
        elif f == "chi" and not accented and _chi_means_gi(matches, idx, folded):
            norm = "gi"
        elif f in DIALECT_FOLDED:
            norm = DIALECT_FOLDED[f]
        elif surface in ABBREVIATIONS:
            norm = fold(ABBREVIATIONS[surface])
        elif f in ABBREVIATIONS and not accented:
            norm = fold(ABBREVIATIONS[f])
        else:
            norm = correct(f) if correct is not None else f
        tokens.append(Token(surface, norm, m.start(), m.end()))
    return Normalized(text, nfc, folded, tuple(tokens), accented)
