"""The blind NLU test set (nlu/data/blind/) is well-formed.

Format only: this never runs the NLU on the set (benchmarks/nlu.py and `motcua nlu
eval` report its scores), and a failure here never means "change a label to match".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from nlu import INTENTS
from portal.domain.tracking import find_codes, is_valid_code

ROOT = Path(__file__).resolve().parents[2]
BLIND_DIR = ROOT / "nlu" / "data" / "blind"
CATALOG_DIR = ROOT / "portal" / "catalog" / "data"
STYLES = (
    "standard",
    "no_diacritics",
    "dialect",
    "typos",
    "long_elderly",
    "short",
    "english",
    "speech",
)
KEYS = {"text", "intent", "procedure", "tracking_code", "style"}


def _rows() -> list[tuple[str, dict[str, Any]]]:
    """(file:line, row) for every line of every style file."""
    rows = []
    for path in sorted(BLIND_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                pytest.fail(f"{where}: not JSON ({exc})")
            assert isinstance(row, dict), where
            rows.append((where, row))
    return rows


def _folded(text: str) -> str:
    """The text without case, diacritics or punctuation, so near-copies compare equal."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.findall(r"\w+", bare))


def test_one_file_per_known_style() -> None:
    assert sorted(p.stem for p in BLIND_DIR.glob("*.jsonl")) == sorted(STYLES)


def test_every_line_is_labelled_with_known_values() -> None:
    slugs = {path.stem for path in CATALOG_DIR.glob("*.yml")}
    assert len(slugs) >= 13
    for where, row in _rows():
        assert set(row) == KEYS, where
        text = row["text"]
        assert isinstance(text, str) and text == text.strip() and text, where
        assert unicodedata.normalize("NFC", text) == text, f"{where}: not NFC"
        assert row["intent"] in INTENTS, where
        assert row["procedure"] is None or row["procedure"] in slugs, where
        assert row["style"] == where.partition(".jsonl")[0], where


def test_tracking_codes_are_valid_and_are_the_ones_in_the_text() -> None:
    labelled = 0
    for where, row in _rows():
        code = row["tracking_code"]
        found = find_codes(row["text"])
        if code is None:
            assert found == [], f"{where}: the text holds {found} but no code is labelled"
        else:
            labelled += 1
            assert is_valid_code(code), f"{where}: {code} fails the check character"
            assert found == [code], where
    assert labelled >= 20


def test_size_per_style() -> None:
    per_style = Counter(row["style"] for _, row in _rows())
    assert sum(per_style.values()) >= 400
    for style in STYLES:
        assert per_style[style] >= 50, style


def test_no_line_repeats_another() -> None:
    seen: dict[str, str] = {}
    for where, row in _rows():
        key = _folded(row["text"])
        assert key not in seen, f"{where} repeats {seen[key]}"
        seen[key] = where
