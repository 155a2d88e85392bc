"""Every message of the domain modules has a Vietnamese translation in domain.po."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
MODULES = ["problems", "tracking", "calendar", "identifiers", "dates", "answers", "workflow"]
PO_FILE = ROOT / "locales" / "vi" / "LC_MESSAGES" / "domain.po"


def _msgids(module: str) -> list[str]:
    tree = ast.parse((ROOT / "portal" / "domain" / f"{module}.py").read_text("utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def _translations() -> dict[str, tuple[str, bool]]:
    with PO_FILE.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    return {m.id: (m.string, m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_modules_have_messages() -> None:
    assert sum(len(_msgids(m)) for m in MODULES) > 30


@pytest.mark.parametrize("module", MODULES)
def test_every_message_is_translated(module: str) -> None:
    translations = _translations()
    for msgid in _msgids(module):
        assert msgid in translations, msgid
        string, fuzzy = translations[msgid]
        assert isinstance(string, str) and string.strip(), msgid
        assert not fuzzy, msgid
        assert _placeholders(string) == _placeholders(msgid), msgid


def test_no_unused_translations() -> None:
    used = {msgid for m in MODULES for msgid in _msgids(m)}
    assert set(_translations()) - used == set()
