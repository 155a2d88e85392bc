"""fold(): the one normaliser every diacritic-insensitive comparison uses."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.catalog import fold

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
LETTERS = VIETNAMESE + VIETNAMESE.upper() + " .,-_?!0123456789"


def test_strips_tone_marks_and_d_bar() -> None:
    assert fold("Đăng ký Khai Sinh") == "dang ky khai sinh"
    assert fold("Công chứng") == "cong chung"
    assert fold("Trợ cấp hưu trí xã hội") == "tro cap huu tri xa hoi"


def test_decomposed_unicode_folds_like_composed() -> None:
    composed = "Giấy độc thân"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert fold(decomposed) == fold(composed) == "giay doc than"


def test_old_and_new_tone_placement_agree() -> None:
    assert fold("hoà") == fold("hòa") == "hoa"
    assert fold("thuỷ") == fold("thủy") == "thuy"
    assert fold("Khoẻ") == fold("khỏe")


def test_case_punctuation_and_spaces_collapse() -> None:
    assert fold("  Khai   sinh,\tcho  CON!! ") == "khai sinh cho con"
    assert fold("birth_registration") == "birth registration"
    assert fold("") == ""
    assert fold(" ?! ") == ""


@settings(deadline=None)  # no timing in tests
@given(st.text(alphabet=LETTERS, max_size=40))
def test_vietnamese_text_folds_to_plain_ascii_idempotently(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower().strip()
    assert "  " not in folded
    assert fold(folded) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded
