"""Every text of the console's templates has a Vietnamese translation (tests/test_locales.py
checks the N_() texts of the Python code; the templates' _() texts are checked here)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from tests.test_locales import PLACEHOLDER, _vietnamese

TEMPLATES = Path(__file__).resolve().parents[3] / "portal" / "console" / "templates"


def test_every_template_text_has_a_vietnamese_translation() -> None:
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(TEMPLATES), method_map=[("**.html", "jinja2")], keywords={"_": None}
        )
        if isinstance(message, str) and message
    }
    assert len(found) > 50  # the extraction works
    vi = _vietnamese()
    missing = sorted(m for m in found if not vi.get(m, ("", False))[0])
    assert not missing, missing
    wrong = [m for m in found if set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(vi[m][0]))]
    assert not wrong, wrong
