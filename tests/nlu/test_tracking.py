"""Tracking codes in every spelling, and the check character shared with the back office."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu import EmbeddedNLU
from nlu.tracking import ALPHABET, check_char, find_codes, is_valid_code

BODY = "7Q4K9"
VALID = f"PX-2026-{BODY}{check_char('PX', '2026', BODY)}"
WRONG = VALID[:-1] + next(ch for ch in ALPHABET if ch != VALID[-1])


def _spellings(code: str) -> list[str]:
    compact = code.replace("-", "")
    return [
        code,
        code.lower(),
        compact,
        compact.lower(),
        code.replace("-", " "),
        f"{compact[:2]} {compact[2:6]} {compact[6:]}".lower(),
        " ".join(compact.lower()),  # spelled out character by character
        f"{code[:2]}-{code[3:7]}-{code[8:12]}-{code[12:]}",
    ]


@pytest.mark.parametrize("spelling", _spellings(VALID))
def test_every_spelling_is_found_and_canonical(engine: EmbeddedNLU, spelling: str) -> None:
    text = f"cho tui hỏi hồ sơ {spelling} tới đâu rồi"
    codes = [e for e in engine.parse(text)["entities"] if e["entity"] == "tracking_code"]
    assert [(c["value"], c["valid"]) for c in codes] == [(VALID, True)]
    assert text[codes[0]["start"] : codes[0]["end"]] == spelling


def test_wrong_check_character_is_still_extracted(engine: EmbeddedNLU) -> None:
    (code,) = [
        e for e in engine.parse(f"mã {WRONG.lower()}")["entities"] if e["entity"] == "tracking_code"
    ]
    assert code["value"] == WRONG
    assert code["valid"] is False


def test_spoken_digits() -> None:
    (match,) = find_codes("mã là p x hai không hai sáu 7 q 4 k 9 " + VALID[-1].lower())
    assert (match.value, match.valid) == (VALID, True)


def test_missing_prefix_defaults_to_the_ward() -> None:
    (match,) = find_codes(f"hồ sơ 2026-{VALID[-6:]}")
    assert match.value == VALID


@pytest.mark.parametrize(
    "text",
    [
        "sđt 0912 345 678",
        "la PX2026 7Q4K",
        "năm 2026 tui làm khai sinh",
        "CCCD 046090012345",
    ],
)
def test_not_codes(text: str) -> None:
    assert find_codes(text) == []


def test_a_preceding_word_is_not_glued_onto_the_prefix() -> None:
    assert [m.value for m in find_codes(f"la {VALID}")] == [VALID]


@given(st.text(alphabet=ALPHABET, min_size=5, max_size=5), st.integers(0, 4), st.integers(0, 31))
def test_single_substitution_is_detected(body: str, pos: int, shift: int) -> None:
    code = f"PX-2026-{body}{check_char('PX', '2026', body)}"
    assert is_valid_code(code)
    chars = list(body + code[-1])
    new = ALPHABET[(ALPHABET.index(chars[pos]) + shift + 1) % 32]
    if new != chars[pos]:
        chars[pos] = new
        assert not is_valid_code(f"PX-2026-{''.join(chars)}")


PORTAL_TRACKING = Path(__file__).resolve().parents[2] / "portal" / "domain" / "tracking.py"


def _portal_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_portal_tracking", PORTAL_TRACKING)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_same_scheme_as_the_back_office() -> None:
    portal = _portal_module()
    assert portal.ALPHABET == ALPHABET
    rng = random.Random(7)
    for _ in range(300):
        prefix = rng.choice(["PX", "HUE", "ABCD"])
        year = rng.randint(2000, 2099)
        code = portal.generate_code(prefix, year, rng)
        assert is_valid_code(code)
        prefix, year_text, tail = code.split("-")
        assert check_char(prefix, year_text, tail[:5]) == tail[5]
        broken = code[:-1] + ("2" if code[-1] != "2" else "3")
        assert is_valid_code(broken) == portal.is_valid_code(broken) is False
        assert [m.value for m in find_codes(f"ma {code.lower()} nhe")] == portal.find_codes(
            f"ma {code.lower()} nhe"
        )
