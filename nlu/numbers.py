"""Rule-based extractors for dates, citizen ID numbers and phone numbers.

They run on the folded view (lowercase, no diacritics), whose offsets equal the
NFC text's, so "5 tháng 3 năm 1950" and "5 thang 3 nam 1950" read the same.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Span:
    entity: str
    value: str
    start: int
    end: int
    extra: tuple[tuple[str, bool], ...] = ()


_MONTHS_EN: Final = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_EN_RE: Final = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))

_DATE_PATTERNS: Final = (
    # 5/3/1950, 05-03-1950, 5.3.50
    re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}|\d{2})(?![\d/.-])"),
    # ngay 5 thang 3 nam 1950, mung 5 thang 3, 5 thang 3 1950
    re.compile(
        r"(?:(?:ngay|mung|mong)\s*)?(?<!\d)(\d{1,2})\s*(?:thang|th)\s*(\d{1,2})(?!\d)"
        r"(?:\s*(?:nam|,)?\s*(\d{4}))?"
    ),
    # mung 5 (month unknown) is too vague; "5/3" without a year
    re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})(?![\d/.-])"),
)
_EN_DMY: Final = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_EN_RE})\.?,?(?:\s+(\d{{4}}))?\b"
)
_EN_MDY: Final = re.compile(
    rf"\b({_MONTH_EN_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?\b"
)


def _date_value(day: int, month: int, year: str | None) -> str | None:
    if year is not None and len(year) == 2:
        # two-digit years in this domain are birth years: 50 -> 1950, 05 -> 2005
        y2 = int(year)
        year = str(2000 + y2 if y2 <= dt.date.today().year % 100 else 1900 + y2)
    try:
        dt.date(int(year) if year else 2000, month, day)  # 2000 is a leap year
    except ValueError:
        return None
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def find_dates(folded: str) -> list[Span]:
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: str | None) -> None:
        if value is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        spans.append(Span("date", value, start, end))

    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(folded):
            day, month = int(m.group(1)), int(m.group(2))
            year = m.group(3) if m.lastindex and m.lastindex >= 3 else None
            add(m.start(), m.end(), _date_value(day, month, year))
    for m in _EN_DMY.finditer(folded):
        add(m.start(), m.end(), _date_value(int(m.group(1)), _MONTHS_EN[m.group(2)], m.group(3)))
    for m in _EN_MDY.finditer(folded):
        add(m.start(), m.end(), _date_value(int(m.group(2)), _MONTHS_EN[m.group(1)], m.group(3)))
    return sorted(spans, key=lambda s: s.start)


_MOBILE_PREFIXES: Final = frozenset(
    [f"03{d}" for d in "23456789"]
    + ["052", "055", "056", "058", "059", "070", "076", "077", "078", "079"]
    + [f"08{d}" for d in "123456789"]
    + ["090", "091", "092", "093", "094", "096", "097", "098", "099"]
)
_PHONE_RE: Final = re.compile(r"(?<![\d+])(\+\s?84|84|0)[\s.-]?((?:\d[\s.-]?){8}\d)(?![\d])")
_ID_RE: Final = re.compile(r"(?<![\d])(\d(?:[\s.]?\d){11})(?![\d]|[\s.]\d)")


def find_phones(folded: str) -> list[Span]:
    spans = []
    for m in _PHONE_RE.finditer(folded):
        digits = "0" + re.sub(r"\D", "", m.group(2))
        if digits[:3] in _MOBILE_PREFIXES:
            spans.append(Span("phone", digits, m.start(), m.end()))
    return spans


def find_citizen_ids(folded: str) -> list[Span]:
    spans = []
    for m in _ID_RE.finditer(folded):
        digits = re.sub(r"\D", "", m.group(1))
        province = int(digits[:3])
        plausible = 1 <= province <= 96 and digits[3] in "012345"
        spans.append(Span("citizen_id", digits, m.start(), m.end(), (("valid", plausible),)))
    return spans
