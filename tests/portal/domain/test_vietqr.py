from __future__ import annotations

import io

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from portal.domain.vietqr import (
    BANK_BINS,
    ascii_text,
    build_payload,
    crc16_ccitt_false,
    parse_payload,
    qr_png,
)

# FACTS.md, CRC checked.
WORKED_EXAMPLE = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def _own_crc(data: bytes) -> int:
    """Bit-by-bit CRC-16/CCITT-FALSE, independent of the implementation under test."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


@given(st.binary(max_size=300))
def test_crc_agrees_with_the_textbook_algorithm(data: bytes) -> None:
    assert crc16_ccitt_false(data) == _own_crc(data)


def test_reproduces_the_worked_example() -> None:
    payload = build_payload("970415", "0011001932418", 120_000, "ung ho lu lut")
    assert payload == WORKED_EXAMPLE


def test_parses_the_worked_example() -> None:
    fields = parse_payload(WORKED_EXAMPLE)
    assert fields["00"] == "01"
    assert fields["01"] == "12"
    assert fields["38.00"] == "A000000727"
    assert fields["38.01.00"] == "970415"
    assert fields["38.01.01"] == "0011001932418"
    assert fields["38.02"] == "QRIBFTTA"
    assert (fields["53"], fields["54"], fields["58"]) == ("704", "120000", "VN")
    assert fields["62.08"] == "ung ho lu lut"
    assert fields["63"] == "C15C"


def test_static_qr_has_no_amount() -> None:
    fields = parse_payload(build_payload("970436", "1234567890", None, "le phi"))
    assert fields["01"] == "11"
    assert "54" not in fields


def test_reference_goes_into_additional_data() -> None:
    payload = build_payload("970418", "12345", 8000, "MC-25 LE PHI", reference="MCABC23456")
    fields = parse_payload(payload)
    assert fields["62.05"] == "MCABC23456"
    assert fields["62.08"] == "MC-25 LE PHI"


def test_purpose_loses_diacritics_and_is_cut_to_25() -> None:
    payload = build_payload(
        "970415", "0011001932418", 10_000, "Lệ phí đăng ký thường trú cho Ông Đặng Văn Hùng"
    )
    purpose = parse_payload(payload)["62.08"]
    assert purpose.isascii() and len(purpose) <= 25
    assert purpose == "Le phi dang ky thuong tru"


def test_ascii_text_handles_decomposed_unicode_and_symbols() -> None:
    assert ascii_text("Đ\u0111a\u0301ng   ky\u0301!! #12") == "Ddang ky 12"
    assert ascii_text("ư ơ ă â ê ô") == "u o a a e o"


def test_a_purpose_of_only_symbols_is_left_out() -> None:
    fields = parse_payload(build_payload("970415", "1", 1, "!!!"))
    assert "62" not in fields


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount", "reference"),
    [
        ("97041", "1", 1000, None),  # BIN too short
        ("97041x", "1", 1000, None),
        ("970415", "", 1000, None),  # no account
        ("970415", "1" * 20, 1000, None),  # account too long
        ("970415", "12 34", 1000, None),
        ("970415", "1234", 0, None),  # zero amount
        ("970415", "1234", -5, None),
        ("970415", "1234", 10**13, None),  # 14 digits
        ("970415", "1234", True, None),
        ("970415", "1234", 1000, "has space"),
        ("970415", "1234", 1000, "Đ123"),
        ("970415", "1234", 1000, "A" * 26),
    ],
)
def test_invalid_inputs_are_refused(
    bank_bin: str, account: str, amount: int | None, reference: str | None
) -> None:
    with pytest.raises(ValueError):
        build_payload(bank_bin, account, amount, "le phi", reference)


def test_largest_amount_is_13_digits() -> None:
    assert parse_payload(build_payload("970415", "1", 10**13 - 1, "x"))["54"] == "9" * 13


@pytest.mark.parametrize(
    "payload",
    [
        WORKED_EXAMPLE[:-1] + "D",  # wrong CRC
        WORKED_EXAMPLE.replace("120000", "920000"),  # altered amount, old CRC
        WORKED_EXAMPLE[:-8],  # no CRC field
        WORKED_EXAMPLE[:-4] + "ZZZZ",
        "",
        "ung ho lu lut",
    ],
)
def test_parse_refuses_a_bad_crc(payload: str) -> None:
    with pytest.raises(ValueError):
        parse_payload(payload)


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{_own_crc(body.encode()):04X}"


@pytest.mark.parametrize(
    "body",
    [
        "000201" + "0102",  # field 01 cut short
        "000201" + "01x212",  # length not digits
        "000201" + "010212" + "010211",  # field twice
        "000202" + "010212",  # wrong format indicator
        "010212" + "000201",  # format indicator not first
        "000201" + "38050010A",  # nested field 38.00 cut short
        "000201" + "0812abcd",  # "6304" + CRC swallowed by field 08: no CRC field of its own
    ],
)
def test_parse_refuses_a_bad_structure_even_with_a_good_crc(body: str) -> None:
    with pytest.raises(ValueError):
        parse_payload(_with_crc(body))


def test_parse_refuses_non_ascii() -> None:
    with pytest.raises(ValueError):
        parse_payload(_with_crc("000201" + "0803lệ"))


@settings(max_examples=50)
@given(
    bank_bin=st.sampled_from(sorted(BANK_BINS.values())),
    account=st.text("0123456789ABCXYZ", min_size=1, max_size=19),
    amount=st.none() | st.integers(min_value=1, max_value=10**13 - 1),
    purpose=st.text(max_size=60),
    reference=st.none() | st.text("ABCDEFGHJK23456789-", min_size=1, max_size=25),
)
def test_build_and_parse_round_trip(
    bank_bin: str, account: str, amount: int | None, purpose: str, reference: str | None
) -> None:
    fields = parse_payload(build_payload(bank_bin, account, amount, purpose, reference))
    assert fields["38.01.00"] == bank_bin and fields["38.01.01"] == account
    assert fields.get("54") == (None if amount is None else str(amount))
    assert fields["01"] == ("11" if amount is None else "12")
    assert fields.get("62.05") == reference
    assert fields.get("62.08", "") == ascii_text(purpose)


def test_bank_bins_from_facts() -> None:
    assert BANK_BINS["VietinBank"] == "970415"
    assert BANK_BINS["Vietcombank"] == "970436"
    assert len(BANK_BINS) == 10
    assert all(len(b) == 6 and b.isdigit() for b in BANK_BINS.values())
    assert len(set(BANK_BINS.values())) == len(BANK_BINS)


def test_qr_png_scans_back_to_the_payload() -> None:
    payload = build_payload("970415", "0011001932418", 120_000, "ung ho lu lut", "MCABC23456")
    png = qr_png(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in results] == [payload]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "M"


def test_qr_png_scale_and_quiet_zone() -> None:
    small, large = (Image.open(io.BytesIO(qr_png(WORKED_EXAMPLE, scale=s))) for s in (2, 4))
    assert large.size == (small.size[0] * 2, small.size[1] * 2)
    rgb = small.convert("L")
    # The border of 4 modules (8 px at scale 2) is left light all round.
    assert all(rgb.getpixel((x, y)) == 255 for x in range(8) for y in range(small.size[1]))
    assert rgb.getpixel((8, 8)) == 0  # the finder pattern starts right after it
