"""Every user-facing text marked with N_() has a Vietnamese translation (not fuzzy, same
placeholders), and English needs none (the message ids are English)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "backend_client", "dialogs", "bot", "kernel", "motcua", "nlu")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _marked() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")], keywords={"N_": None}
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{package}/{filename}")
    return found


def _vietnamese() -> dict[str, tuple[str, bool]]:
    result: dict[str, tuple[str, bool]] = {}
    for path in sorted((ROOT / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if message.id and isinstance(message.id, str):
                    result[message.id] = (str(message.string or ""), message.fuzzy)
    return result


def test_every_marked_text_has_a_vietnamese_translation() -> None:
    marked = _marked()
    assert len(marked) > 100  # the extraction itself works
    vi = _vietnamese()
    missing = [
        f"{where}: {msg!r}" for msg, where in marked.items() if not vi.get(msg, ("", False))[0]
    ]
    fuzzy = [msg for msg in marked if vi.get(msg, ("", False))[1]]
    assert not missing, "untranslated:\n" + "\n".join(missing)
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_placeholders_survive_translation() -> None:
    vi = _vietnamese()
    wrong = [
        msg
        for msg in _marked()
        if msg in vi and set(PLACEHOLDER.findall(msg)) != set(PLACEHOLDER.findall(vi[msg][0]))
    ]
    assert not wrong, wrong
