"""The engine works on a copy of the state it is given: nothing it changes in the copy
reaches the caller's state (the shell keeps it when the engine fails mid-step)."""

from __future__ import annotations

from dialogs import State
from dialogs.engine import clone_state


def _state() -> State:
    s = State(flow="form", procedure="certified_copy", app_id="a1", lang="en")
    s.answers = {"name": "Lê Thị Mai", "copies": 3, "extra": {"notes": ["a", "b"]}}
    s.choices = [("Có", "s1:yes"), ("Không", "s1:no")]
    s.rules = {"so_do": {"min_files": 1, "max_files": 2}}
    s.photos = {"so_do": [1, 2]}
    s.early = [{"file": {"id": "x", "sizes": [1, 2]}}]
    s.outbox = [{"name": "submit", "params": {"key": "k1"}}]
    s.saving = {"name": "x"}
    s.version = 7
    return s


def test_the_clone_is_equal_and_shares_nothing_mutable() -> None:
    original = _state()
    clone = clone_state(original)
    assert clone == original
    assert clone.model_dump() == original.model_dump()
    assert clone.model_fields_set == original.model_fields_set
    clone.answers["extra"]["notes"].append("c")
    clone.rules["so_do"]["max_files"] = 9
    clone.photos["so_do"].append(3)
    clone.early[0]["file"]["sizes"].append(3)
    clone.outbox[0]["params"]["key"] = "k2"
    clone.saving["name"] = "y"  # type: ignore[index]
    clone.choices.append(("Quay lại", "back"))
    clone.version = 8
    assert original == _state()


def test_a_value_of_another_kind_is_still_copied() -> None:
    original = _state()
    original.answers["seen"] = {1, 2}  # not JSON: copied the general way
    clone = clone_state(original)
    clone.answers["seen"].add(3)
    assert original.answers["seen"] == {1, 2}
