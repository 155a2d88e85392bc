from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.tracking import (
    ALPHABET,
    CODE_PATTERN,
    check_character,
    find_codes,
    generate_code,
    is_valid_code,
    normalize_code,
)

prefixes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4)
years = st.integers(min_value=2000, max_value=2099)
seeds = st.integers(min_value=0, max_value=2**32)


def _code(prefix: str, year: int, seed: int) -> str:
    return generate_code(prefix, year, random.Random(seed))


def _compact(code: str) -> str:
    return code.replace("-", "")


def _detected(compact: str, prefix_len: int) -> bool:
    """True when the altered text is rejected (not code-shaped, or a bad check char)."""
    text = (
        f"{compact[:prefix_len]}-{compact[prefix_len : prefix_len + 4]}-{compact[prefix_len + 4 :]}"
    )
    canonical = normalize_code(text)
    return canonical is None or not is_valid_code(canonical)


def _alphabet_for(position: int, prefix_len: int) -> str:
    if position < prefix_len:
        return string.ascii_uppercase
    if position < prefix_len + 4:
        return string.digits
    return ALPHABET


def test_known_code_shape() -> None:
    code = generate_code("PX", 2026, random.Random(7))
    prefix, year, tail = code.split("-")
    assert (prefix, year, len(tail)) == ("PX", "2026", 6)
    assert set(tail) <= set(ALPHABET)
    assert tail[-1] == check_character("PX", "2026", tail[:5])


@settings(deadline=None)
@given(prefixes, years, seeds)
def test_generated_codes_are_valid_and_canonical(prefix: str, year: int, seed: int) -> None:
    code = _code(prefix, year, seed)
    assert is_valid_code(code)
    assert normalize_code(code) == code
    assert CODE_PATTERN.fullmatch(code)


@settings(deadline=None)
@given(prefixes, years, seeds)
def test_every_single_substitution_is_detected(prefix: str, year: int, seed: int) -> None:
    compact = _compact(_code(prefix, year, seed))
    for i, original in enumerate(compact):
        for other in _alphabet_for(i, len(prefix)):
            if other != original:
                altered = compact[:i] + other + compact[i + 1 :]
                assert _detected(altered, len(prefix)), (compact, altered)


@settings(deadline=None)
@given(prefixes, years, seeds)
def test_every_adjacent_transposition_is_detected(prefix: str, year: int, seed: int) -> None:
    compact = _compact(_code(prefix, year, seed))
    for i in range(len(compact) - 1):
        a, b = compact[i], compact[i + 1]
        if a != b:
            swapped = compact[:i] + b + a + compact[i + 2 :]
            assert _detected(swapped, len(prefix)), (compact, swapped)


def test_transposition_luhn_would_miss_is_detected() -> None:
    # Values 0 and 31 ("2" and "Z") are the pair Luhn mod 32 cannot tell apart.
    body = "2Z345"
    code = f"PX-2026-{body}{check_character('PX', '2026', body)}"
    assert is_valid_code(code)
    swapped = code.replace("2Z345", "Z2345")
    assert not is_valid_code(swapped)


@pytest.mark.parametrize(
    "typed",
    [
        "px 2026 {t}",
        "PX2026{T}",
        "px-2026-{t4}-{t2}",
        "  Px.2026.{T}  ",
        "PX--2026--{T}",
        "px – 2026 – {t}",  # en dash from a phone keyboard
    ],
)
def test_normalize_accepts_common_typing(typed: str) -> None:
    code = generate_code("PX", 2026, random.Random(3))
    tail = code[-6:]
    text = typed.format(t=tail.lower(), T=tail, t4=tail[:4].lower(), t2=tail[4:].lower())
    assert normalize_code(text) == code


def test_normalize_accepts_full_width_characters() -> None:
    code = generate_code("PX", 2026, random.Random(3))
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code)
    assert normalize_code(full_width) == code


def test_normalize_uses_default_prefix_only_when_missing() -> None:
    code = generate_code("PX", 2026, random.Random(5))
    tail = code[-6:]
    assert normalize_code(f"2026 {tail}") is None
    assert normalize_code(f"2026 {tail}", default_prefix="px") == code
    assert normalize_code(f"AB 2026 {tail}", default_prefix="PX") == f"AB-2026-{tail}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "PX-2026-7Q4K9",
        "PX-2026-7Q4K9MM",
        "PX-26-7Q4K9M",
        "P-2026-7Q4K9M",
        "PXABC-2026-7Q4K9M",
        "PX-2026-7Q4K9#",
        "PX-2026-7Q4K9M!",
    ],
)
def test_normalize_rejects_non_codes(text: str) -> None:
    assert normalize_code(text) is None


@pytest.mark.parametrize("confusable", ["0", "O", "1", "I", "o", "i"])
def test_confusable_characters_are_not_guessed(confusable: str) -> None:
    assert normalize_code(f"PX-2026-7Q4K9{confusable}") is None
    assert normalize_code(f"PX-2026-{confusable}Q4K9M") is None


def test_is_valid_code_requires_canonical_form() -> None:
    code = generate_code("PX", 2026, random.Random(11))
    assert is_valid_code(code)
    assert not is_valid_code(code.lower())
    assert not is_valid_code(code.replace("-", ""))


def test_generate_code_rejects_bad_parts() -> None:
    with pytest.raises(ValueError):
        generate_code("P", 2026)
    with pytest.raises(ValueError):
        generate_code("PX1", 2026)
    with pytest.raises(ValueError):
        generate_code("PX", 26)


def test_generate_code_uses_system_randomness_by_default() -> None:
    codes = {generate_code("PX", 2026) for _ in range(50)}
    assert len(codes) > 1
    assert all(is_valid_code(c) for c in codes)


def test_find_codes_in_free_text() -> None:
    a = generate_code("PX", 2026, random.Random(1))
    b = generate_code("PX", 2025, random.Random(2))
    bad = a[:-1] + next(c for c in ALPHABET if c != a[-1])
    text = (
        f"Con ơi mã hồ sơ của bác là {a.lower().replace('-', ' ')}, "
        f"còn cái cũ {b.replace('-', '')}. Mã sai {bad}. Lặp lại {a}."
    )
    assert find_codes(text) == [a, b]


def test_code_pattern_does_not_match_inside_words() -> None:
    code = generate_code("PX", 2026, random.Random(4))
    assert CODE_PATTERN.search(f"1{code}") is None
    assert CODE_PATTERN.search(f"{code}9") is None
