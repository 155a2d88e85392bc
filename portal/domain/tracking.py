"""Tracking codes people read aloud, copy by hand and type back: ``PX-2026-7Q4K9M``.

Shape: a ward prefix (2-4 letters, ``PX`` for Phu Xuan), the 4-digit year, then six
characters from :data:`ALPHABET` -- digits 2-9 and letters without I and O, so that
nothing on paper can be read as 0/O or 1/I. The sixth character is a check character.

Check scheme: the Damm algorithm over the 32-element field GF(2^5) (modulus
x^5 + x^2 + 1). The quasigroup ``a * b = 2·a XOR b`` is totally anti-symmetric
(``(c*a)*b == (c*b)*a`` implies ``a == b``) and every row and column is a permutation,
so every single-character substitution and every adjacent transposition changes the
result. (Luhn mod 32 would miss swapping the symbols of value 0 and 31, here "2Z".)
Symbols are mapped to values per position type: random characters by their index
in :data:`ALPHABET`, year digits by their digit value, prefix letters by ``A=0 ... Z=25``.
Within each position type the mapping is one-to-one, and a character of the wrong
type (a letter in the year) fails the shape check before the check character.

Confusable characters: 0, O, 1 and I never appear in a code. Someone who typed one
misread some other character, and there is no single right guess (an O may have
been a D, a Q or a 0 the code cannot contain), so :func:`normalize_code` treats them
as "not a tracking code" instead of guessing. The bot then asks the person to check
the code; the check character catches the other misreadings.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Final, Protocol

DEFAULT_PREFIX: Final = "PX"
ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_LENGTH: Final = 6
_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}
_PREFIX_RE: Final = re.compile(r"^[A-Z]{2,4}$")
_CHARS: Final = "2-9A-HJ-NP-Z"
# Everything a person may put between the parts: spaces, dots, dashes of any kind.
_SEPARATORS: Final = re.compile(r"[\s.\-_/\u2010-\u2015\u2212]+")
_COMPACT: Final = re.compile(
    rf"^(?P<prefix>[A-Z]{{2,4}})?(?P<year>\d{{4}})(?P<tail>[{_CHARS}]{{{RANDOM_LENGTH}}})$"
)

CODE_PATTERN: Final = re.compile(
    rf"(?<!\w)(?P<prefix>[A-Z]{{2,4}})[-.\s]?(?P<year>\d{{4}})"
    rf"(?P<tail>(?:[-.\s]?[{_CHARS}]){{{RANDOM_LENGTH}}})(?!\w)",
    re.IGNORECASE,
)
"""Finds code-shaped text inside a message (any case, single separators allowed
anywhere: "px 2026 7q4k9m", "PX-2026-7Q4K-9M"). Pass a match to :func:`normalize_code`
and :func:`is_valid_code` before trusting it; see :func:`find_codes`."""


class ChoiceSource(Protocol):
    """Anything with ``choice`` like :class:`random.Random` / :class:`secrets.SystemRandom`."""

    def choice(self, seq: str, /) -> str: ...


_SYSTEM_RANDOM: Final = secrets.SystemRandom()


def _mul2(value: int) -> int:
    """Multiply by x in GF(2^5) modulo x^5 + x^2 + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _damm(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _mul2(interim) ^ value
    return interim


def _values(prefix: str, year: str, tail: str) -> list[int]:
    return (
        [ord(ch) - ord("A") for ch in prefix]
        + [int(ch) for ch in year]
        + [_VALUE[ch] for ch in tail]
    )


def check_character(prefix: str, year: str, body: str) -> str:
    """The check character for ``prefix`` + ``year`` + the first five random characters."""
    # The appended symbol c must bring the interim to 0: 2·r XOR c = 0, so c = 2·r.
    return ALPHABET[_mul2(_damm(_values(prefix, year, body)))]


def _validate_parts(prefix: str, year: int) -> None:
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"tracking prefix must be 2-4 letters A-Z, got {prefix!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"tracking year must have four digits, got {year}")


def generate_code(prefix: str, year: int, rng: ChoiceSource = _SYSTEM_RANDOM) -> str:
    """A new random code such as ``PX-2026-7Q4K9M`` (32^5, about 33.5 million per year).

    The caller checks uniqueness against issued codes and draws again on a clash.
    """
    prefix = prefix.upper()
    _validate_parts(prefix, year)
    body = "".join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH - 1))
    return f"{prefix}-{year:04d}-{body}{check_character(prefix, f'{year:04d}', body)}"


def normalize_code(text: str, default_prefix: str | None = None) -> str | None:
    """The canonical ``PX-2026-7Q4K9M`` form of what someone typed, or None when the
    text is not shaped like a code.

    Accepts any case, full-width characters, spaces, dots and missing or extra dashes
    ("px 2026 7q4k9m", "PX20267Q4K9M", "px-2026-7q4k-9m"). Without a prefix
    ("2026-7Q4K9M") the ``default_prefix`` is used if given. 0, O, 1 and I in the
    random part make the text "not a code" (see the module docstring). The check
    character is *not* verified here: use :func:`is_valid_code`.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    match = _COMPACT.match(compact)
    if match is None:
        return None
    prefix = match["prefix"] or (default_prefix or "").upper()
    if not _PREFIX_RE.match(prefix):
        return None
    return f"{prefix}-{match['year']}-{match['tail']}"


def is_valid_code(code: str) -> bool:
    """True when ``code`` is in canonical form and its check character is right."""
    if normalize_code(code) != code:
        return False
    prefix, year, tail = code.split("-")
    return _damm(_values(prefix, year, tail)) == 0


def find_codes(text: str) -> list[str]:
    """Every valid code in free text, canonical and in order of appearance, no repeats."""
    found: list[str] = []
    for match in CODE_PATTERN.finditer(text):
        code = normalize_code(match.group(0))
        if code is not None and is_valid_code(code) and code not in found:
            found.append(code)
    return found
