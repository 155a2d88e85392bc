"""Which questions and papers apply, given the answers so far (mirrors the portal's rule:
a condition on an unanswered field is false)."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend_client import Condition, DocumentSpec, FormField, Procedure


def holds(cond: Condition | None, answers: dict[str, Any], today: date) -> bool:
    if cond is None:
        return True
    value = answers.get(cond.field)
    if value is None:
        return False
    expected = cond.value
    if isinstance(expected, bool):
        expected = "yes" if expected else "no"
    if cond.op == "eq":
        return str(value) == str(expected)
    if cond.op == "ne":
        return str(value) != str(expected)
    if cond.op == "in":
        return isinstance(expected, list) and str(value) in expected
    try:
        days = (today - date.fromisoformat(str(value))).days
        limit = int(expected)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if cond.op == "within_days":
        return 0 <= days <= limit
    if cond.op == "older_than_days":
        return days > limit
    return False


def active_fields(proc: Procedure, answers: dict[str, Any], today: date) -> list[FormField]:
    return [f for f in proc.fields if holds(f.when, answers, today)]


def active_documents(proc: Procedure, answers: dict[str, Any], today: date) -> list[DocumentSpec]:
    return [d for d in proc.documents if holds(d.when, answers, today)]
