from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.filenames import MAX_NAME_CHARS, ascii_fallback, safe_filename


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("a\u202egpj.exe", "agpj.exe"),  # right-to-left override: shows as "aexe.jpg"
        ("x\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f.pdf", "x.pdf"),
        ("scan\x00\x07\x1b[2J\r\n.jpg", "scan[2J .jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Lan\\Ảnh\\giay.jpg", "giay.jpg"),
        ('a<b>c:d"e|f?g*h.png', "a_b_c_d_e_f_g_h.png"),
        ("..", "file"),
        ("   ", "file"),
        ("", "file"),
        (None, "file"),
        (".hidden.jpg", "hidden.jpg"),
        ("Giấy khai sinh của bé Lan.jpg", "Giấy khai sinh của bé Lan.jpg"),
        # Decomposed marks (as macOS writes names) are composed, not dropped.
        ("Gia\u0301y to\u031b\u0300.pdf", "Giáy tờ.pdf"),
        ("two\u2028lines\tand \u00a0spaces.jpg", "two lines and spaces.jpg"),
        ("\ud800half.jpg", "half.jpg"),  # a lone surrogate
    ],
)
def test_safe_filename(sent: str | None, kept: str) -> None:
    assert safe_filename(sent) == kept


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = safe_filename("Đơn đề nghị " * 40 + ".pdf")
    assert len(name) <= MAX_NAME_CHARS and name.startswith("Đơn đề nghị Đơn")
    assert name.endswith(".pdf") and not name.endswith(" .pdf")
    assert len(safe_filename("x" * 500)) == MAX_NAME_CHARS


@given(st.text(max_size=300))
def test_any_name_becomes_a_plain_label(sent: str) -> None:
    name = safe_filename(sent)
    assert 0 < len(name) <= MAX_NAME_CHARS
    assert not any(ch in name for ch in '/\\<>:"|?*\x00\u202e\u2066')
    assert not any(ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF for ch in name)
    assert not name.startswith(".") and name == name.strip()
    assert safe_filename(name) == name  # sanitising twice changes nothing


def test_ascii_fallback_spells_vietnamese_without_marks() -> None:
    assert ascii_fallback("Đơn đề nghị cấp giấy.pdf") == "Don de nghi cap giay.pdf"
    assert ascii_fallback("照片.jpg") == "__.jpg"
