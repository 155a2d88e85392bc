from __future__ import annotations

import io
import logging

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bot.render import MAX_TEXT, qr_png, qr_terminal, safe_buttons, split_text
from dialogs import Btn


def test_qr_png_decodes_back() -> None:
    data = "https://t.me/MotCuaBot?start=trk_HT-2603-00012"
    png = qr_png(data)
    assert png.startswith(b"\x89PNG")
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.text == data


def test_qr_terminal_is_blocks() -> None:
    drawing = qr_terminal("HT-2603-00012")
    lines = drawing.strip("\n").splitlines()
    assert len(lines) > 8
    assert any(ch in drawing for ch in "█▀▄")


def test_short_text_is_one_message() -> None:
    assert split_text("Xin chào") == ["Xin chào"]


def test_split_at_paragraphs() -> None:
    paras = [f"Đoạn {i}: " + "chữ " * 30 for i in range(10)]
    text = "\n\n".join(p.strip() for p in paras)
    parts = split_text(text, limit=300)
    assert all(len(p) <= 300 for p in parts)
    assert len(parts) > 1
    # No paragraph was cut in the middle.
    for part in parts:
        for para in part.split("\n\n"):
            assert para.startswith("Đoạn ")
    assert "\n\n".join(parts) == text


def test_split_a_paragraph_without_breaks() -> None:
    text = "a" * 10_000
    parts = split_text(text)
    assert [len(p) for p in parts] == [MAX_TEXT, MAX_TEXT, 10_000 - 2 * MAX_TEXT]


@given(st.text(alphabet=st.sampled_from("ab \nđ"), max_size=2000), st.integers(5, 200))
def test_split_never_exceeds_and_keeps_the_words(text: str, limit: int) -> None:
    parts = split_text(text, limit=limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join(text.split()) == "".join("".join(parts).split())


def test_overlong_callback_data_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    good = Btn("Có", "s3:ans:yes")
    bad = Btn("Quá dài", "s3:ans:" + "đ" * 40)  # 87 bytes in UTF-8
    with caplog.at_level(logging.ERROR):
        rows = safe_buttons(((good, bad), (bad,), (Btn("Menu", "g:menu"),)))
    assert rows == [[good], [Btn("Menu", "g:menu")]]
    assert "Quá dài" in caplog.text
    assert safe_buttons(((Btn("x", "a" * 64),),)) == [[Btn("x", "a" * 64)]]
