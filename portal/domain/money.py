"""Amounts of money as people read them: digits with separators, and in words."""

from __future__ import annotations

from babel.numbers import format_decimal

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_UNITS = ["", "nghìn", "triệu", "tỷ"]
_EN_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
]  # fmt: skip
_EN_TENS = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
]  # fmt: skip
_EN_SCALES = ["", "thousand", "million", "billion", "trillion"]


def format_vnd(amount: int, lang: str) -> str:
    """'120.000 đồng' in Vietnamese, '120,000 VND' in English."""
    if lang == "vi":
        return f"{format_decimal(amount, locale='vi')} đồng"
    return f"{format_decimal(amount, locale='en')} VND"


def _vi_triple(n: int, full: bool) -> list[str]:
    """Read 0..999; ``full`` when a higher group precedes (then 'không trăm', 'linh' are said)."""
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
    if ones:
        if ones == 1 and tens >= 2:
            words.append("mốt")
        elif ones == 5 and tens >= 1:
            words.append("lăm")
        elif ones == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[ones])
    return words


def _vi_words(amount: int) -> str:
    if amount == 0:
        return "không"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        higher = index < len(groups) - 1
        words += _vi_triple(group, full=higher)
        if _UNITS[index]:
            words.append(_UNITS[index])
    return " ".join(words)


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


def _en_words(amount: int) -> str:
    if amount == 0:
        return "zero"
    parts: list[str] = []
    scale = 0
    while amount:
        group = amount % 1000
        if group:
            words = _en_below_thousand(group)
            if _EN_SCALES[scale]:
                words.append(_EN_SCALES[scale])
            parts = words + parts
        amount //= 1000
        scale += 1
    return " ".join(parts)


def amount_in_words(amount: int, lang: str) -> str:
    """'mười nghìn đồng' / 'ten thousand dong': how the amount is read aloud."""
    if amount < 0 or amount >= 10**12:
        raise ValueError("amount out of range")
    if lang == "vi":
        return f"{_vi_words(amount)} đồng"
    return f"{_en_words(amount)} dong"
