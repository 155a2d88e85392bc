"""kernel.jsoncopy: a deep copy of JSON-shaped data that shares nothing mutable."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum

from kernel.jsoncopy import json_copy


class Colour(StrEnum):
    RED = "red"


@dataclass
class Box:
    items: list[int]


def test_equal_and_nothing_mutable_shared() -> None:
    original = {"a": [1, {"b": "x"}], "t": (1, [2]), "n": None, "f": 1.5, "ok": True}
    copied = json_copy(original)
    assert copied == original == copy.deepcopy(original)
    assert copied is not original
    assert copied["a"] is not original["a"]
    assert copied["a"][1] is not original["a"][1]
    assert copied["t"][1] is not original["t"][1]
    copied["a"][1]["b"] = "changed"
    assert original["a"][1]["b"] == "x"


def test_enum_members_stay_themselves() -> None:
    copied = json_copy({"c": Colour.RED})
    assert copied["c"] is Colour.RED


def test_anything_else_is_deep_copied() -> None:
    box = Box([1, 2])
    copied = json_copy([box])
    assert copied == [box]
    assert copied[0] is not box and copied[0].items is not box.items
