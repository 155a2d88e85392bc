"""Citizen ID numbers (CCCD) and phone numbers as people type them.

Citizen ID: 12 digits ``PPP G YY RRRRRR`` (Circular 07/2016/TT-BCA): ``PPP`` the
province where the birth was registered (codes of the 63 provinces before the 2025
merger: numbers already issued keep them), ``G`` century and sex (0/1 for the 1900s,
2/3 for the 2000s, 4/5 the 2100s, 6/7 the 2200s, 8/9 the 2300s; even male, odd
female), ``YY`` the last two digits of the birth year, then six random digits.
There is no check digit, so only the structure can be checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Final, Literal, NamedTuple

from kernel.i18n import N_, localized
from portal.domain.problems import FieldProblem

_PROVINCES: Final = """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031
    033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062
    064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093
    094 095 096
"""
PROVINCE_CODES: Final = frozenset(_PROVINCES.split())

# FACTS.md: mobile prefixes after the 2018 move to 10 digits.
_MOBILE: Final = """
    032 033 034 035 036 037 038 039  052 055 056 058 059  070 076 077 078 079
    081 082 083 084 085 086 087 088 089  090 091 092 093 094 096 097 098 099
"""
MOBILE_PREFIXES: Final = frozenset(_MOBILE.split())
# Huế's area code [verify in FACTS.md]: a parameter of normalize_phone, so a ward can change it.
HUE_LANDLINE_AREA_CODES: Final = ("0234",)

Sex = Literal["male", "female"]

# Separators people put inside numbers.
_NUMBER_SEPARATORS: Final = re.compile(r"[\s.\-_/()\u2010-\u2015]+")


class CitizenIdBirth(NamedTuple):
    century_start: int  # 1900 for someone born in the 1900s
    sex: Sex


def _strip_separators(text: str) -> str:
    return _NUMBER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).strip()


def normalize_citizen_id(text: str, *, today: date | None = None) -> str:
    """The 12 digits of a citizen ID typed with any spaces, dots or dashes.

    Raises :class:`FieldProblem` with code ``citizen_id_old`` for a 9-digit CMND,
    ``citizen_id_format`` for anything else that is not 12 digits,
    ``citizen_id_province`` for an unknown province code, and (when ``today`` is
    given) ``citizen_id_future`` when the birth year it encodes is after ``today``.
    """
    digits = _strip_separators(text)
    if not digits.isascii() or not digits.isdigit():
        raise FieldProblem(
            "citizen_id_format",
            localized(
                N_(
                    "The citizen ID number has 12 digits and only digits. "
                    "Please type it as printed on the card, for example 046123456789."
                )
            ),
        )
    if len(digits) == 9:
        raise FieldProblem(
            "citizen_id_old",
            localized(
                N_(
                    "This looks like the old 9-digit ID card (CMND). Please type the "
                    "12-digit number of your citizen ID card (CCCD) instead."
                )
            ),
        )
    if len(digits) != 12:
        raise FieldProblem(
            "citizen_id_format",
            localized(
                N_(
                    "The citizen ID number has 12 digits, but {count} were typed. "
                    "Please check the number on the card and type it again."
                ),
                count=len(digits),
            ),
        )
    if digits[:3] not in PROVINCE_CODES:
        raise FieldProblem(
            "citizen_id_province",
            localized(
                N_(
                    "This citizen ID number does not start with a province code "
                    "(the first three digits). Please check the number on the card."
                )
            ),
        )
    if today is not None and citizen_id_birth_year(digits) > today.year:
        raise FieldProblem(
            "citizen_id_future",
            localized(
                N_(
                    "The 4th to 6th digits of this citizen ID number give a birth year in "
                    "the future. Please check the number on the card."
                )
            ),
        )
    return digits


def citizen_id_birth(cid: str) -> CitizenIdBirth:
    """Century of birth and sex encoded in a normalized citizen ID number."""
    gender_century = int(cid[3])
    return CitizenIdBirth(
        century_start=1900 + 100 * (gender_century // 2),
        sex="female" if gender_century % 2 else "male",
    )


def citizen_id_birth_year(cid: str) -> int:
    """Full birth year encoded in a normalized citizen ID number."""
    return citizen_id_birth(cid).century_start + int(cid[4:6])


def check_citizen_id_against_dob(cid: str, dob: date) -> FieldProblem | None:
    """A problem (code ``citizen_id_dob_mismatch``) when the ID's birth year is not
    the year of ``dob``, else None."""
    if citizen_id_birth_year(cid) == dob.year:
        return None
    return FieldProblem(
        "citizen_id_dob_mismatch",
        localized(
            N_(
                "The citizen ID number does not match the date of birth ({year}): the "
                "4th to 6th digits show the year of birth. Please check both."
            ),
            year=dob.year,
        ),
    )


def normalize_phone(
    text: str, *, landline_area_codes: Collection[str] = HUE_LANDLINE_AREA_CODES
) -> str:
    """A Vietnamese phone number as ``0xxxxxxxxx`` (10-digit mobile) or, for the
    given landline area codes, ``0234xxxxxxx`` (11 digits).

    Accepts +84 / 84 / 0084 in place of the leading 0, a forgotten leading 0 (nine
    digits), spaces, dots, dashes and brackets. Raises :class:`FieldProblem`:
    ``phone_format`` (not a phone number),
    ``phone_old_mobile`` (an 11-digit mobile number from before 2018),
    ``phone_prefix`` (10 digits but no Vietnamese mobile network).
    """
    compact = _strip_separators(text)
    if compact.startswith("+"):
        compact = compact[1:]
        if not compact.startswith("84"):
            raise _phone_format()
    if not compact.isascii() or not compact.isdigit():
        raise _phone_format()
    for international in ("0084", "84"):
        # 84 followed by 9 or 10 digits is the country code: no local number starts so.
        national = compact.removeprefix(international)
        if national != compact:
            national = national.removeprefix("0")  # "+84 (0) 912 ..." also happens
            if len(national) in (9, 10):
                compact = "0" + national
                break
    if len(compact) == 9 and not compact.startswith("0"):
        compact = "0" + compact  # the leading 0 forgotten, or lost in a spreadsheet
    if len(compact) == 11 and any(compact.startswith(a) for a in landline_area_codes):
        return compact
    if len(compact) == 11 and compact.startswith("01"):
        raise FieldProblem(
            "phone_old_mobile",
            localized(
                N_(
                    "Mobile numbers have had 10 digits since 2018. Please type the new "
                    "number of this phone, for example 0912345678."
                )
            ),
        )
    if len(compact) != 10 or not compact.startswith("0"):
        raise _phone_format()
    if compact[:3] not in MOBILE_PREFIXES:
        raise FieldProblem(
            "phone_prefix",
            localized(
                N_(
                    "This is not a Vietnamese mobile number (it cannot start with {prefix}). "
                    "Please check the number and type it again."
                ),
                prefix=compact[:3],
            ),
        )
    return compact


def phone_kind(phone: str) -> Literal["mobile", "landline"]:
    """Kind of a number returned by :func:`normalize_phone`."""
    return "mobile" if len(phone) == 10 else "landline"


def _phone_format() -> FieldProblem:
    return FieldProblem(
        "phone_format",
        localized(
            N_(
                "Please type a mobile phone number of 10 digits starting with 0, "
                "for example 0912345678."
            )
        ),
    )
