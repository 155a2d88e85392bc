"""Normalisation views: folding, tone placement, Telex leftovers, dialect words."""

from __future__ import annotations

import unicodedata

from nlu import EmbeddedNLU
from nlu.normalize import fold, normalize, tone_canonical


def test_fold_keeps_length_and_strips_marks() -> None:
    text = "Đăng Ký Khai Sinh ở Phường"
    assert fold(text) == "dang ky khai sinh o phuong"
    assert len(fold(text)) == len(text)


def test_tone_placement_is_canonical() -> None:
    assert tone_canonical("hoà") == tone_canonical("hòa") == "hoa2"
    assert tone_canonical("thuỷ") == tone_canonical("thủy")
    assert tone_canonical("khỏe") == tone_canonical("khoẻ")


def test_decomposed_input_is_composed() -> None:
    nfd = unicodedata.normalize("NFD", "giấy khai sinh")
    assert normalize(nfd).nfc == "giấy khai sinh"


def test_telex_leftovers_are_repaired(engine: EmbeddedNLU) -> None:
    norm = normalize("khais sinh cần giâys tờ ddawng kys", engine._correct)
    assert norm.norm_text == "khai sinh can giay to dang ky"


def test_dialect_words_map_to_standard(engine: EmbeddedNLU) -> None:
    norm = normalize("tui ưng mần cái chi ở mô rứa hỉ", engine._correct)
    assert norm.norm_text == "toi muon lam cai gi o dau vay nhe"


def test_chi_phi_is_not_dialect() -> None:
    assert normalize("chi phí làm khai sinh").norm_text.startswith("chi phi")


def test_one_typo_is_corrected(engine: EmbeddedNLU) -> None:
    assert normalize("cải chíng hộ tịch", engine._correct).norm_text == "cai chinh ho tich"
