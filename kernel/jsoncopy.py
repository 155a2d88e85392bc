"""A deep copy of JSON-shaped data, several times cheaper than ``copy.deepcopy``.

The dialog engine copies a conversation's state on every event, and the tests' fake Bot
API copies every message it hands out; both hold only dicts, lists, tuples, strings and
numbers, which need none of deepcopy's memo or dispatch."""

from __future__ import annotations

import copy
from typing import Any, TypeVar, cast

_T = TypeVar("_T")
_ATOMS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: _T) -> _T:
    """A deep copy of ``value``: dicts, lists and tuples are rebuilt, strings, numbers
    and None shared (immutable); anything else inside is left to ``copy.deepcopy``.
    Shared parts are copied once per place they appear (no memo), like JSON would."""
    return cast(_T, _copy(value))


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    if kind is tuple:
        return tuple(_copy(item) for item in value)
    if isinstance(value, (str, int, float)):  # a str or int enum member: immutable too
        return value
    return copy.deepcopy(value)
