"""Tracking and paying, typed."""

from __future__ import annotations

from tests.dialogs.flows.conftest import Typist


def test_a_code_typed_at_the_menu_is_looked_up(typist: Typist) -> None:
    typist.says("tra cứu hồ sơ")
    assert typist.state.flow == "track"
    typist.says("px-2026-7q4k9m")
    assert typist.effects == ["track"] and "PX-2026-7Q4K9M" in typist.text


def test_i_have_paid_typed_at_the_payment_step(typist: Typist) -> None:
    typist.says("chứng thực bản sao")
    typist.says("bắt đầu")
    typist.says("đồng ý")
    for text in ("Sổ đỏ", "3", "2", "Lê Thị Mai", "0905123456"):
        typist.says(text)
    typist.sends_photo()
    typist.says("xong")
    typist.app["fee_amount"], typist.app["paid"] = 10000, False
    typist.says("nộp luôn")
    assert "Lệ phí" in typist.text and typist.replies[-1].media is not None  # the VietQR
    typist.says("tôi đã chuyển khoản")
    # The "I have paid" press, typed: the application is loaded to check the payment.
    assert typist.effects[-1] == "load_application" and "chưa" in typist.text.lower()
