"""Amounts of money as people read them: digits with separators, and in words.

The words follow the convention of Vietnamese bank receipts ("một triệu không trăm
linh năm đồng"), which is also what an elderly reader hears at the counter. The
num2words package was checked and not used: it reads 24 as "hai mươi bốn" and
1,000,005 as "một triệu lẻ năm", and its English adds "and" and commas.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from babel.numbers import format_decimal

from kernel.i18n import normalize_language

# Past this the words stop being a sensible thing to print on a payment screen.
MAX_IN_WORDS: Final = 10**18 - 1

_DIGITS: Final = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_VI_GROUPS: Final = ("", "nghìn", "triệu")  # groups of three digits below a tỷ
_BILLION: Final = 10**9

_EN_SMALL: Final = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS: Final = (
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)  # fmt: skip
_EN_SCALES: Final = ("", "thousand", "million", "billion", "trillion", "quadrillion")


@lru_cache(maxsize=4096)
def format_vnd(amount: int, lang: str) -> str:
    """'120.000 đồng' in Vietnamese (the word, not '₫', which many elderly readers
    do not recognise on a phone screen), '120,000 VND' in English. Cached: Babel parses
    its locale on every call, and every application the API returns shows a few fees."""
    if normalize_language(lang) == "vi":
        return f"{format_decimal(amount, locale='vi')} đồng"
    return f"{format_decimal(amount, locale='en')} VND"


def amount_in_words(amount: int, lang: str) -> str:
    """'một trăm hai mươi nghìn đồng' / 'one hundred twenty thousand dong'."""
    if isinstance(amount, bool) or not 0 <= amount <= MAX_IN_WORDS:
        raise ValueError(f"amount must be a whole number from 0 to {MAX_IN_WORDS}")
    if normalize_language(lang) == "vi":
        return " ".join([*_vi_words(amount, leading=True), "đồng"])
    return f"{_en_words(amount)} dong"


def _vi_triple(n: int, full: bool) -> list[str]:
    """Read 0..999. ``full`` when a higher group was already read: then the hundreds
    are always said ("không trăm") and a lone unit takes "linh" (1.005 = "một nghìn
    không trăm linh năm")."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if ones == 1 and tens >= 2:
        words.append("mốt")  # hai mươi mốt; but mười một, linh một
    elif ones == 4 and tens >= 2:
        words.append("tư")  # hai mươi tư; but mười bốn, linh bốn
    elif ones == 5 and tens >= 1:
        words.append("lăm")  # mười lăm, hai mươi lăm; but linh năm
    elif ones:
        words.append(_DIGITS[ones])
    return words


def _vi_below_billion(n: int, full: bool) -> list[str]:
    words: list[str] = []
    for index in range(len(_VI_GROUPS) - 1, -1, -1):
        group = n // 1000**index % 1000
        if group == 0:
            continue
        words += _vi_triple(group, full)
        if _VI_GROUPS[index]:
            words.append(_VI_GROUPS[index])
        full = True
    return words


def _vi_words(n: int, leading: bool) -> list[str]:
    """Amounts of a tỷ and more are read as '<count> tỷ <rest>', the count itself
    read the same way (1.000 tỷ = "một nghìn tỷ")."""
    if n == 0:
        return ["không"]
    if n >= _BILLION:
        head, rest = divmod(n, _BILLION)
        words = [*_vi_words(head, leading), "tỷ"]
        return words + _vi_below_billion(rest, full=True) if rest else words
    return _vi_below_billion(n, full=not leading)


def _en_below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_EN_SMALL[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_EN_TENS[n // 10] + (f"-{_EN_SMALL[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_EN_SMALL[n])
    return words


def _en_words(n: int) -> str:
    if n == 0:
        return "zero"
    parts: list[str] = []
    for scale in range(len(_EN_SCALES) - 1, -1, -1):
        group = n // 1000**scale % 1000
        if group:
            parts += _en_below_thousand(group)
            if _EN_SCALES[scale]:
                parts.append(_EN_SCALES[scale])
    return " ".join(parts)
