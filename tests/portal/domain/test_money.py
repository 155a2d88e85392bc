from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.money import MAX_IN_WORDS, amount_in_words, format_vnd


@pytest.mark.parametrize(
    ("amount", "vi", "en"),
    [
        (0, "0 đồng", "0 VND"),
        (2000, "2.000 đồng", "2,000 VND"),
        (120_000, "120.000 đồng", "120,000 VND"),
        (1_234_567, "1.234.567 đồng", "1,234,567 VND"),
    ],
)
def test_format_vnd(amount: int, vi: str, en: str) -> None:
    assert format_vnd(amount, "vi") == vi
    assert format_vnd(amount, "en") == en


def test_format_vnd_accepts_regional_language_codes() -> None:
    assert format_vnd(5000, "vi-VN") == "5.000 đồng"
    assert format_vnd(5000, "en_US") == "5,000 VND"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "không"),
        (1, "một"),
        (4, "bốn"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (41, "bốn mươi mốt"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (121, "một trăm hai mươi mốt"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (1010, "một nghìn không trăm mười"),
        (2000, "hai nghìn"),
        (10_000, "mười nghìn"),
        (15_000, "mười lăm nghìn"),
        (120_000, "một trăm hai mươi nghìn"),
        (200_000, "hai trăm nghìn"),
        (500_000, "năm trăm nghìn"),
        (1_000_000, "một triệu"),
        (1_000_005, "một triệu không trăm linh năm"),
        (1_005_000, "một triệu không trăm linh năm nghìn"),
        (1_234_567, "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy"),
        (21_000_000, "hai mươi mốt triệu"),
        (1_000_000_000, "một tỷ"),
        (1_000_000_005, "một tỷ không trăm linh năm"),
        (2_500_000_000, "hai tỷ năm trăm triệu"),
        (1_000_000_000_000, "một nghìn tỷ"),
    ],
)
def test_vietnamese_words(amount: int, words: str) -> None:
    assert amount_in_words(amount, "vi") == f"{words} đồng"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (15, "fifteen"),
        (21, "twenty-one"),
        (105, "one hundred five"),
        (120_000, "one hundred twenty thousand"),
        (1_000_005, "one million five"),
        (1_234_567, "one million two hundred thirty-four thousand five hundred sixty-seven"),
        (2_000_000_000, "two billion"),
    ],
)
def test_english_words(amount: int, words: str) -> None:
    assert amount_in_words(amount, "en") == f"{words} dong"


@pytest.mark.parametrize("amount", [-1, MAX_IN_WORDS + 1])
def test_out_of_range_amounts_are_refused(amount: int) -> None:
    with pytest.raises(ValueError):
        amount_in_words(amount, "vi")


_VI_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_VI_VALUES = {w: i for i, w in enumerate(_VI_DIGITS)} | {"mốt": 1, "tư": 4, "lăm": 5}
_VI_SCALES = {"nghìn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def _read_back(words: str) -> int:
    """Parse the Vietnamese reading back into a number, to check readings at random."""
    total, group, digit, billions = 0, 0, 0, 0
    tokens = words.removesuffix(" đồng").split()
    for token in tokens:
        if token in _VI_VALUES:
            digit = _VI_VALUES[token]
        elif token == "trăm":
            group += digit * 100
            digit = 0
        elif token == "mươi":
            group += digit * 10
            digit = 0
        elif token == "mười":
            group += 10
        elif token == "linh":
            pass
        elif token == "tỷ":
            billions = (billions + total + group + digit) * 10**9
            total, group, digit = 0, 0, 0
        else:
            total += (group + digit) * _VI_SCALES[token]
            group, digit = 0, 0
    return billions + total + group + digit


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_vietnamese_reading_reads_back_to_the_amount(amount: int) -> None:
    words = amount_in_words(amount, "vi")
    assert _read_back(words) == amount
    tokens = words.split()
    for before, word in pairwise(tokens):
        if word == "mốt":
            assert before == "mươi"
        if word == "lăm":
            assert before in ("mươi", "mười")
        if word == "tư":
            assert before == "mươi"


@given(st.integers(min_value=0, max_value=MAX_IN_WORDS))
def test_english_reading_is_plain_words(amount: int) -> None:
    words = amount_in_words(amount, "en")
    assert words.endswith(" dong") and "and" not in words.split() and "," not in words
