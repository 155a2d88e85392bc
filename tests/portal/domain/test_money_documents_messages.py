"""Every message of the money and document modules has a Vietnamese translation in
money_documents.po, and that file holds nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
MODULES = ["fees", "vietqr", "money", "documents"]
PO_FILE = ROOT / "locales" / "vi" / "LC_MESSAGES" / "money_documents.po"


def _msgids(module: str) -> list[str]:
    path = ROOT / "portal" / "domain" / f"{module}.py"
    return [
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"N_": None}
        )
        if isinstance(message, str)
    ]


def _translations() -> dict[str, tuple[str, bool]]:
    with PO_FILE.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    return {m.id: (str(m.string), m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_modules_have_messages() -> None:
    assert len(_msgids("fees")) >= 5 and len(_msgids("documents")) >= 8


@pytest.mark.parametrize("module", MODULES)
def test_every_message_is_translated(module: str) -> None:
    translations = _translations()
    for msgid in _msgids(module):
        assert msgid in translations, msgid
        string, fuzzy = translations[msgid]
        assert string.strip() and not fuzzy, msgid
        assert _placeholders(string) == _placeholders(msgid), msgid


def test_no_unused_translations() -> None:
    used = {msgid for module in MODULES for msgid in _msgids(module)}
    assert set(_translations()) - used == set()


def test_refusals_address_the_user_as_bac_and_say_what_to_do() -> None:
    for msgid in _msgids("documents"):
        string = _translations()[msgid][0]
        assert "Bác vui lòng" in string, msgid
