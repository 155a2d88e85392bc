"""Dates as people type them, always day first.

Accepted: ``5/3/1950``, ``05-03-1950``, ``5.3.1950``, ``5 3 1950``, ``05031950``,
Vietnamese words with or without diacritics (``ngày 5 tháng 3 năm 1950``,
``mùng 5 tháng 3 1950``, ``mung 5 thang 3 nam 1950``) and ISO ``1950-03-05`` (a
four-digit first number means year-month-day).

Two-digit years mean the most recent year ending in those digits that is not after
``today``'s year: with today in 2026, ``26`` is 2026, ``27`` is 1927 and ``50`` is 1950.
The forms ask about births, deaths and papers, which lie in the past, and the
people who type two digits are mostly giving their own birth year.

A date "âm lịch" (lunar) is refused with a request for the solar date on the papers:
converting it silently would put a wrong date on an official record.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

from kernel.i18n import N_, localized
from portal.domain.problems import FieldProblem

EXAMPLE: Final = "05/03/1950"
MIN_YEAR: Final = 1900

# Words around the numbers ("ngày", "mùng", "tháng", "năm", "sinh", "dương lịch", "ạ").
_FILLER: Final = re.compile(
    r"(?<![a-z])(ngay|mung|mong|thang|nam|sinh|vao|duong lich|dl|a)(?![a-z])"
)
_LUNAR: Final = re.compile(r"(?<![a-z])(am lich|al)(?![a-z])")
_ALLOWED: Final = re.compile(r"^[\d\s/.\-,]*$")


def fold(text: str) -> str:
    """Lower case without diacritics, for matching what people type: "Mùng" -> "mung"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def format_date(d: date) -> str:
    """The way dates are written on Vietnamese papers: ``05/03/1950``."""
    return d.strftime("%d/%m/") + f"{d.year:04d}"


def _format_problem() -> FieldProblem:
    return FieldProblem(
        "date_format",
        localized(
            N_("Please type the date as day/month/year, for example {example}."),
            example=EXAMPLE,
        ),
    )


def _full_year(token: str, today: date) -> int:
    if len(token) == 4:
        return int(token)
    if len(token) == 2:
        year = today.year // 100 * 100 + int(token)
        return year - 100 if year > today.year else year
    raise _format_problem()


def _parts(text: str) -> tuple[str, str, str]:
    """Day, month and year tokens in that order."""
    if _LUNAR.search(text):
        raise FieldProblem(
            "date_lunar",
            localized(
                N_(
                    "Please give the date in the solar calendar, as written on the papers, "
                    "for example {example}."
                ),
                example=EXAMPLE,
            ),
        )
    bare = _FILLER.sub(" ", text)
    if not _ALLOWED.match(bare):
        raise _format_problem()
    tokens = re.findall(r"\d+", bare)
    if len(tokens) == 1 and len(tokens[0]) in (6, 8):
        compact = tokens[0]
        return compact[:2], compact[2:4], compact[4:]
    if len(tokens) == 2 and all(len(t) <= 2 for t in tokens):
        raise FieldProblem(
            "date_needs_year",
            localized(
                N_("Please add the year too: day/month/year, for example {example}."),
                example=EXAMPLE,
            ),
        )
    if len(tokens) != 3:
        raise _format_problem()
    first, second, third = tokens
    if len(first) == 4:  # ISO order: year-month-day
        return third, second, first
    if len(first) > 2 or len(second) > 2:
        raise _format_problem()
    return first, second, third


def parse_date(text: str, today: date) -> date:
    """The date in ``text``, read day first; raises :class:`FieldProblem`.

    Codes: ``date_format`` (not a date), ``date_needs_year`` (day and month only),
    ``date_lunar`` (a lunar date), ``date_invalid`` (no such day, like 31/2/1950),
    ``date_year`` (before 1900).
    """
    day, month, year_token = _parts(fold(text))
    year = _full_year(year_token, today)
    if year < MIN_YEAR:
        raise FieldProblem(
            "date_year",
            localized(
                N_(
                    "Please check the year ({year}) and type the date again, for example {example}."
                ),
                year=year,
                example=EXAMPLE,
            ),
        )
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise FieldProblem(
            "date_invalid",
            localized(
                N_(
                    "There is no day {day}/{month}/{year}. Please check the day and month, "
                    "written day/month/year, for example {example}."
                ),
                day=day,
                month=month,
                year=year,
                example=EXAMPLE,
            ),
        ) from None
