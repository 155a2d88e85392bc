"""Checks across one procedure's parts that the per-key schema cannot see: names
referenced by conditions and fee rules, duplicates, and conditions that could never
hold. They read the raw data, so they still run (and point at the right line) when
other keys in the same file are broken."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kernel.i18n import N_

Location = tuple[int | str, ...]


@dataclass(frozen=True)
class Finding:
    path: Location
    template: str  # message id, marked with N_()
    params: Mapping[str, object]


# Message ids (English); Vietnamese in locales/vi/LC_MESSAGES/catalog.po.
NO_SUCH_FIELD = N_("there is no field named '{name}' in this form")
ASKED_LATER = N_("'{name}' is asked later; a question can only depend on an earlier answer")
NEEDS_DATE_FIELD = N_("'{op}' needs a date field, but '{name}' is not a date")
NEEDS_DAYS = N_("'{op}' needs a number of days")
QUOTE_BOOL = N_('put the value in quotes, like "yes": without quotes YAML reads it as true/false')
NOT_A_CHOICE = N_("'{value}' is not one of the choices of '{name}' ({choices})")
FIELD_TWICE = N_("the field name '{name}' is already used by fields.{first}")
DOB_ONLY_ON_ID = N_("only a citizen_id field has a dob_field")
NOT_A_DATE = N_("'{name}' is not a date field")
CODE_TWICE = N_("the document code '{code}' is already used by documents.{first}")
NOT_A_NUMBER = N_("'{name}' must be a number field")

_DATE_OPS = frozenset({"within_days", "older_than_days"})


def _items(data: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = data.get(key)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield index, item


def _choices(field: Mapping[str, Any]) -> list[object]:
    return [c.get("value") for c in field.get("choices") or [] if isinstance(c, Mapping)]


def check_references(data: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    fields: dict[str, tuple[int, Mapping[str, Any]]] = {}

    def note(path: Location, template: str, **params: object) -> None:
        findings.append(Finding(path, template, params))

    def check_condition(path: Location, cond: object, asked_before: set[str] | None) -> None:
        """``asked_before``: the fields answered by then (None: every field)."""
        if not isinstance(cond, Mapping) or not isinstance(cond.get("field"), str):
            return  # the schema reports the shape
        name = cond["field"]
        if name not in fields:
            note((*path, "field"), NO_SUCH_FIELD, name=name)
            return
        if asked_before is not None and name not in asked_before:
            note((*path, "field"), ASKED_LATER, name=name)
        target = fields[name][1]
        op = cond.get("op", "eq")
        value = cond.get("value")
        if op in _DATE_OPS:
            if target.get("type") != "date":
                note((*path, "op"), NEEDS_DATE_FIELD, op=op, name=name)
            if not isinstance(value, int) or isinstance(value, bool):
                note((*path, "value"), NEEDS_DAYS, op=op)
            return
        if target.get("type") != "choice":
            return
        allowed = _choices(target)
        values = value if isinstance(value, list) else [value]
        for wanted in values:
            if isinstance(wanted, bool):
                note(
                    (*path, "value"),
                    QUOTE_BOOL,
                )
            # (a value of another shape is the schema's to report)
            elif isinstance(wanted, (str, int)) and wanted not in allowed:
                note(
                    (*path, "value"),
                    NOT_A_CHOICE,
                    value=wanted,
                    name=name,
                    choices=", ".join(str(c) for c in allowed),
                )

    for index, field in _items(data, "fields"):
        name = field.get("name")
        if not isinstance(name, str):
            continue
        if name in fields:
            first = fields[name][0]
            note(("fields", index, "name"), FIELD_TWICE, name=name, first=first)
        else:
            fields[name] = (index, field)

    asked: set[str] = set()
    for index, field in _items(data, "fields"):
        if "when" in field:
            check_condition(("fields", index, "when"), field["when"], asked)
        dob = field.get("dob_field")
        if isinstance(dob, str):
            path: Location = ("fields", index, "dob_field")
            if field.get("type") != "citizen_id":
                note(path, DOB_ONLY_ON_ID)
            elif dob not in fields:
                note(path, NO_SUCH_FIELD, name=dob)
            elif fields[dob][1].get("type") != "date":
                note(path, NOT_A_DATE, name=dob)
        if isinstance(field.get("name"), str):
            asked.add(field["name"])

    codes: dict[str, int] = {}
    for index, doc in _items(data, "documents"):
        code = doc.get("code")
        if isinstance(code, str):
            if code in codes:
                note(("documents", index, "code"), CODE_TWICE, code=code, first=codes[code])
            else:
                codes[code] = index
        if "when" in doc:
            check_condition(("documents", index, "when"), doc["when"], None)

    fee = data.get("fee")
    if isinstance(fee, Mapping):
        for key in ("quantity_field", "pages_field"):
            ref = fee.get(key)
            if not isinstance(ref, str):
                continue
            if ref not in fields:
                note(("fee", key), NO_SUCH_FIELD, name=ref)
            elif fields[ref][1].get("type") != "number":
                note(("fee", key), NOT_A_NUMBER, name=ref)
        exempt = fee.get("exempt_when")
        if isinstance(exempt, list):
            for index, cond in enumerate(exempt):
                check_condition(("fee", "exempt_when", index), cond, None)
    return findings
