"""The shared QR writer: what it draws must scan back, at the size segno would draw."""

from __future__ import annotations

import io

import pytest
import segno
import zxingcpp
from PIL import Image

from kernel.qr import qr_modules, qr_png

DEEP_LINK = "https://t.me/motcua_bot?start=trk_PX-2026-00012K"


@pytest.mark.parametrize(
    "data",
    [DEEP_LINK, "00020101021238570010A0000007270127000697043601130123456789", "Lê Thị Mai"],
)
def test_it_scans_back_with_error_correction_m(data: str) -> None:
    image = Image.open(io.BytesIO(qr_png(data)))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == data
    assert found.ec_level == "M"


def test_same_symbol_and_quiet_zone_as_segno() -> None:
    image = Image.open(io.BytesIO(qr_png(DEEP_LINK, scale=8)))
    reference = segno.make(DEEP_LINK, error="m", micro=False)
    assert image.size == reference.symbol_size(scale=8, border=4)
    assert image.mode == "1"
    # The quiet zone (4 modules of 8 pixels) is white all round.
    width, height = image.size
    border = [
        image.getpixel((x, y))
        for x in range(width)
        for y in range(height)
        if min(x, y, width - 1 - x, height - 1 - y) < 32
    ]
    assert set(border) == {255}
    assert image.getpixel((32, 32)) == 0  # the finder pattern's corner is black


@pytest.mark.parametrize("data", [DEEP_LINK, "Lê Thị Mai"])
def test_the_modules_are_the_png_at_one_pixel_a_module(data: str) -> None:
    png = Image.open(io.BytesIO(qr_png(data, scale=1))).convert("L")
    modules = qr_modules(data)
    assert modules.mode == "L" and modules.size == png.size
    assert modules.tobytes() == png.tobytes()
    [found] = zxingcpp.read_barcodes(modules.resize((modules.width * 4,) * 2))
    assert found.text == data
