"""Answers to a procedure's form, checked against the catalog's field definitions.

One call returns the cleaned answers and *every* problem at once, so a person (or
the clerk at the desk) can fix them together. Cleaned values are canonical: dates
as ISO ``YYYY-MM-DD``, citizen IDs as 12 digits, phones as ``0xxxxxxxxx``, choices by
their ``value``, numbers as ``int``, text stripped and NFC-normalised. Cleaned values
parse again to themselves, so stored answers can be validated again after a merge.

Conditions (``when``) decide whether a field is asked. A field is active when it has
no condition, or when the field its condition names is itself active and the
condition holds on the cleaned answers; a condition on a field without an answer is
false (the question it guards is not asked yet). Answers to inactive fields are
dropped from ``cleaned`` without error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from kernel.i18n import N_, localized
from portal.catalog.schema import Condition, FormField, Procedure
from portal.domain.dates import EXAMPLE, fold, parse_date
from portal.domain.identifiers import (
    check_citizen_id_against_dob,
    normalize_citizen_id,
    normalize_phone,
)
from portal.domain.problems import FieldProblem

Clean = str | int

_TRUE: Final = frozenset({"yes", "true", "1", "co", "y"})
_FALSE: Final = frozenset({"no", "false", "0", "khong", "n"})
_INTEGER: Final = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:[.,\s]\d{3})+)$")


@dataclass(frozen=True)
class FieldError:
    field: str  # the field's name
    code: str
    message: dict[str, str]  # {"vi": ..., "en": ...}


@dataclass
class ValidationResult:
    cleaned: dict[str, Clean] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- conditions -----------------------------------------------------------------


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _days(cond: Condition) -> int:
    value = cond.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"condition {cond.op} on {cond.field!r} needs a number of days")


def _equal(answer: object, expected: object) -> bool:
    """Catalog values meet cleaned answers: ``true`` matches a "yes" choice, 3 matches "3"."""
    if isinstance(expected, bool) or isinstance(answer, bool):
        flag, other = (expected, answer) if isinstance(expected, bool) else (answer, expected)
        if isinstance(other, bool):
            return flag == other
        return fold(str(other)) in (_TRUE if flag else _FALSE)
    return str(answer) == str(expected)


def evaluate_condition(cond: Condition, cleaned: Mapping[str, object], today: date) -> bool:
    """Whether ``cond`` holds on cleaned answers; ``today`` is the day of submission.

    ``eq``/``ne``/``in`` compare with the catalog value (see :func:`_equal`).
    ``within_days``: the date answer is at most ``value`` days before ``today``
    (``today`` itself and later dates included); ``older_than_days``: more than
    ``value`` days before ``today``. The two are complements. A missing or
    unreadable answer makes every condition false.
    """
    answer = cleaned.get(cond.field)
    if answer is None or answer == "":
        return False
    if cond.op == "eq":
        return _equal(answer, cond.value)
    if cond.op == "ne":
        return not _equal(answer, cond.value)
    if cond.op == "in":
        options = cond.value if isinstance(cond.value, list) else [cond.value]
        return any(_equal(answer, option) for option in options)
    when = _as_date(answer)
    if when is None:
        return False
    age = (today - when).days
    return age <= _days(cond) if cond.op == "within_days" else age > _days(cond)


def active_fields(
    procedure: Procedure, cleaned: Mapping[str, object], today: date
) -> list[FormField]:
    """The fields asked given the answers so far, in form order (for the bot: the
    first active field without an answer is the next question)."""
    by_name = {f.name: f for f in procedure.fields}
    memo: dict[str, bool] = {}

    def is_active(name: str, visiting: frozenset[str]) -> bool:
        if name not in memo:
            when = by_name[name].when
            if when is None:
                memo[name] = True
            elif when.field in visiting:  # a cycle in the catalog: never asked
                memo[name] = False
            else:
                memo[name] = is_active(when.field, visiting | {name}) and evaluate_condition(
                    when, cleaned, today
                )
        return memo[name]

    return [f for f in procedure.fields if is_active(f.name, frozenset({f.name}))]


# --- single answers ---------------------------------------------------------------


def _problem(code: str, message: str, **params: object) -> FieldProblem:
    return FieldProblem(code, localized(message, **params))


def _text_of(value: object, what: FormField) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and what.type in ("phone", "number"):
        return str(value)
    raise _problem("invalid_type", N_("Please type the answer as text."))


def _casefold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _choice(fld: FormField, text: str) -> str:
    for choice in fld.choices:
        if text.strip() == choice.value:
            return choice.value
    # With diacritics first: "Bên nội" must not be ambiguous because "Bến nơi" exists.
    for key in (_casefold, fold):
        typed = key(text.replace("_", " "))
        matches = {
            c.value
            for c in fld.choices
            if typed in (key(c.value.replace("_", " ")), key(c.label.vi), key(c.label.en))
        }
        if len(matches) == 1:
            return matches.pop()
    options = {lang: ", ".join(c.label.get(lang) for c in fld.choices) for lang in ("vi", "en")}
    raise _problem("choice_invalid", N_("Please choose one of: {options}."), options=options)


def _number(fld: FormField, value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = unicodedata.normalize("NFKC", _text_of(value, fld)).strip()
        if not _INTEGER.match(text):
            raise _problem("number_format", N_("Please type a whole number, for example 2."))
        number = int(re.sub(r"[.,\s]", "", text))
    if fld.min is not None and number < fld.min:
        raise _problem("number_too_small", N_("The number must be at least {min}."), min=fld.min)
    if fld.max is not None and number > fld.max:
        raise _problem("number_too_large", N_("The number must be at most {max}."), max=fld.max)
    return number


def _date(fld: FormField, value: object, today: date) -> str:
    if isinstance(value, datetime):
        when = value.date()
    elif isinstance(value, date):
        when = value
    else:
        when = parse_date(_text_of(value, fld), today)
    if fld.not_future and when > today:
        raise _problem(
            "date_future",
            N_(
                "This date is after today. Please check it and type it as day/month/year, "
                "for example {example}."
            ),
            example=EXAMPLE,
        )
    return when.isoformat()


def parse_answer(fld: FormField, value: object, *, today: date) -> Clean | None:
    """The cleaned value of one answer, None for "no answer" (None, or blank text for
    an optional field); raises :class:`FieldProblem`."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        if fld.required:
            raise _problem("blank", N_("Please write an answer; this cannot be left empty."))
        return None
    if fld.type == "number":
        return _number(fld, value)
    if fld.type == "date":
        return _date(fld, value, today)
    text = _text_of(value, fld)
    if fld.type == "citizen_id":
        return normalize_citizen_id(text, today=today)
    if fld.type == "phone":
        return normalize_phone(text)
    if fld.type == "choice":
        return _choice(fld, text)
    cleaned = unicodedata.normalize("NFC", text).strip()
    if len(cleaned) > fld.max_length:
        raise _problem(
            "too_long",
            N_("This answer is too long: please keep it under {max} characters."),
            max=fld.max_length,
        )
    return cleaned


# --- whole forms -------------------------------------------------------------------


def validate_answers(
    procedure: Procedure, answers: Mapping[str, object], *, today: date, partial: bool
) -> ValidationResult:
    """Check every answer; with ``partial=False`` also require every required active field.

    Errors come in form order (unknown field names first). ``cleaned`` holds the
    answers that are valid and asked; it is only meant to be saved when there are no
    errors.
    """
    by_name = {f.name: f for f in procedure.fields}
    errors = [
        FieldError(
            name,
            "unknown_field",
            localized(N_("This procedure does not ask for “{name}”."), name=name),
        )
        for name in answers
        if name not in by_name
    ]
    parsed: dict[str, Clean] = {}
    problems: dict[str, FieldProblem] = {}
    for fld in procedure.fields:
        if fld.name not in answers:
            continue
        try:
            value = parse_answer(fld, answers[fld.name], today=today)
        except FieldProblem as exc:
            problems[fld.name] = exc
            continue
        if value is not None:
            parsed[fld.name] = value

    active = active_fields(procedure, parsed, today)
    cleaned = {f.name: parsed[f.name] for f in active if f.name in parsed}
    for fld in active:
        problem = problems.get(fld.name)
        if problem is None and fld.name not in cleaned and fld.required and not partial:
            problem = _problem(
                "required",
                N_("Please answer this question: {label}"),
                label=fld.label.model_dump(),
            )
        if problem is None:
            problem = _dob_mismatch(fld, cleaned)
        if problem is not None:
            errors.append(FieldError(fld.name, problem.code, problem.message))
    return ValidationResult(cleaned=cleaned, errors=errors)


def _dob_mismatch(fld: FormField, cleaned: Mapping[str, Clean]) -> FieldProblem | None:
    if fld.type != "citizen_id" or fld.dob_field is None:
        return None
    cid, dob = cleaned.get(fld.name), _as_date(cleaned.get(fld.dob_field))
    if not isinstance(cid, str) or dob is None:
        return None
    return check_citizen_id_against_dob(cid, dob)
