"""Typed values made explicit before they go to the portal: number words ("ba trang"),
relative dates ("5 thang 11 nam nay", "hôm qua") and a recent date typed without its
year. Anything else is sent as typed: the portal's parsers know the formats."""

from __future__ import annotations

import re
from datetime import date, timedelta

from backend_client import FormField
from dialogs.text import fold

_UNITS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "nham": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_TEN = {"muoi", "chuc"}  # "mười" alone, "mươi" after a digit (both fold to muoi)
_HUNDRED = {"tram", "hundred"}
_THOUSAND = {"nghin", "ngan", "thousand"}
_COUNTED = re.compile(r"^\s*(\d+)\s+[^\d]+$")  # "3 trang", "2 bản"


def number_words(text: str) -> int | None:
    """Numbers said in words: "ba" 3, "mười hai" 12, "hai mươi lăm" 25, "một trăm" 100,
    "ba trang" 3 (the unit after the number ends it)."""
    words = fold(text).split()
    total, current, seen = 0, 0, False
    for word in words:
        if word in _UNITS:
            if current == 0:
                current = _UNITS[word]
            elif current % 10 == 0 and _UNITS[word] < 10:
                current += _UNITS[word]  # "hai mươi" + "lăm"
            else:
                return None  # two digits in a row: not a number said in words
            seen = True
        elif word in _TEN:
            if current >= 10:
                return None
            current = (current or 1) * 10  # "mười" is ten, "hai mươi" twenty
            seen = True
        elif word in _THOUSAND:
            total = (total + (current or 1)) * 1000
            current = 0
            seen = True
        elif word in _HUNDRED:
            total += (current or 1) * 100
            current = 0
            seen = True
        elif word in ("le", "linh", "and"):
            continue
        elif seen:
            break  # "ba trang": the unit after the number
        else:
            return None
    return total + current if seen else None


def normalize_number(text: str) -> str:
    counted = _COUNTED.match(fold(text))
    if counted:
        return counted.group(1)
    value = number_words(text)
    return str(value) if value is not None else text


_YEAR_WORDS = (
    ("nam nay", 0),
    ("this year", 0),
    ("nam ngoai", -1),
    ("nam truoc", -1),
    ("nam roi", -1),
    ("last year", -1),
)
_DAY_WORDS = (("hom nay", 0), ("today", 0), ("hom qua", -1), ("yesterday", -1), ("hom kia", -2))
_FILLER = re.compile(r"\b(ngay|mung|mong|thang|nam|sinh|vao|luc|hom|be|chau|a)\b")


def normalize_date(field: FormField, text: str, today: date) -> str:
    folded = fold(text)
    for words, shift in _DAY_WORDS:
        if folded == words or folded.endswith(" " + words):
            return (today + timedelta(days=shift)).strftime("%d/%m/%Y")
    for words, shift in _YEAR_WORDS:
        if words in folded:
            folded = folded.replace(words, f"nam {today.year + shift}")
            return folded
    numbers = re.findall(r"\d+", folded)
    bare = _FILLER.sub(" ", folded)
    if field.recent and len(numbers) == 2 and not re.search(r"[a-z]", bare):
        # A newborn's birthday without its year: the latest such day not after today.
        day, month = int(numbers[0]), int(numbers[1])
        for year in (today.year, today.year - 1):
            try:
                when = date(year, month, day)
            except ValueError:
                return text
            if when <= today:
                return when.strftime("%d/%m/%Y")
    return text


def normalize(field: FormField, text: str, today: date) -> str:
    if field.type == "number":
        return normalize_number(text)
    if field.type == "date":
        return normalize_date(field, text, today)
    return text
