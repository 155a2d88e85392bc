"""The sheet draws in palette indices with rasterised lines kept between papers: what it
writes is pixel for pixel what drawing in RGB and quantizing to the palette gave, from a
cold cache or a warm one, and the cache stays within its bound."""

from __future__ import annotations

import io
from collections import OrderedDict

import pytest
from PIL import Image, ImageChops, ImageDraw

from kernel.qr import qr_modules
from portal.papers import drawing
from portal.papers.drawing import ACCENT, MUTED, PALETTE, Sheet
from portal.papers.fonts import font

Lines = OrderedDict[tuple[str, int, bool, tuple[int, int, int]], object]
LONG = (
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của "
    "Việt Nam cấp hoặc chứng nhận; ẤỄỬ Ộ ỹ — Ðđ"
)


class ReferenceSheet:
    """The sheet as it was drawn before the palette and the line cache: RGB with
    ImageDraw, quantized to the palette at the end."""

    def __init__(self, width: int, margin: int = 40) -> None:
        self.width, self.margin, self.y = width, margin, margin
        self.image = Image.new("RGB", (width, 1600), "white")
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        text: str,
        size: int,
        *,
        bold: bool = False,
        color: tuple[int, int, int] = drawing.INK,
        center: bool = False,
        gap: int = 8,
    ) -> None:
        face = font(size, bold)
        for line in drawing.wrap(text, size, self.width - 2 * self.margin, bold):
            x = (self.width - int(face.getlength(line))) // 2 if center else self.margin
            self.draw.text((x, self.y), line, font=face, fill=color)
            self.y += int(size * 1.3)
        self.y += gap

    def picture(self, image: Image.Image, side: int) -> None:
        picture = image.convert("RGB")
        side = max(1, side // picture.width) * picture.width
        picture = picture.resize((side, side), Image.Resampling.NEAREST)
        self.image.paste(picture, ((self.width - side) // 2, self.y))
        self.y += side + 12

    def rule(self, color: tuple[int, int, int] = ACCENT, thickness: int = 4) -> None:
        box = (self.margin, self.y, self.width - self.margin, self.y + thickness)
        self.draw.rectangle(box, fill=color)
        self.y += thickness + 16

    def pixels(self) -> Image.Image:
        cropped = self.image.crop((0, 0, self.width, self.y + self.margin))
        quantized = cropped.quantize(palette=PALETTE, dither=Image.Dither.NONE)
        return quantized.convert("RGB")


def _paper(sheet: Sheet | ReferenceSheet, amount: str) -> None:
    sheet.text("Phường Phú Xuân, thành phố Huế", 26, bold=True, color=ACCENT, center=True, gap=2)
    sheet.text("THẺ NỘP LỆ PHÍ", 34, bold=True, center=True)
    sheet.rule()
    sheet.text(amount, 52, bold=True, center=True, gap=0)
    sheet.picture(qr_modules(f"https://example.test/{amount}"), 300)
    sheet.picture(qr_modules(f"Phường {amount}"), 200)  # segno's
    sheet.rule(color=MUTED, thickness=2)
    sheet.text("Số tài khoản", 22, color=MUTED, gap=0)
    sheet.text(LONG, 30, bold=True)
    sheet.text("• giấy biên nhận này (bản in hoặc trên điện thoại);", 24, gap=4)
    sheet.text("", 24)
    sheet.text("x" * 120, 24)  # one word wider than a line: cut


def _square() -> Image.Image:
    """A picture inked to its bottom edge (a QR code has a white quiet zone there), in
    colours (not grey)."""
    return Image.new("RGB", (10, 10), ACCENT)


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # checks every chunk's CRC and the deflate stream
    return image


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.fixture
def cold_cache(monkeypatch: pytest.MonkeyPatch) -> Lines:
    lines: Lines = OrderedDict()
    monkeypatch.setattr(drawing, "_LINES", lines)
    return lines


def test_the_sheet_draws_what_rgb_and_quantizing_drew(
    cold_cache: Lines,
) -> None:
    for amount in ("10.000 đồng", "25.000 đồng", "10.000 đồng"):  # cold, new line, warm
        sheet, reference = Sheet(720), ReferenceSheet(720)
        _paper(sheet, amount)
        _paper(reference, amount)
        png = _decoded(sheet.png())
        assert png.mode == "P" and png.size == (720, sheet.y + sheet.margin)
        assert png.getpalette() == PALETTE.getpalette()
        assert _same(png.convert("RGB"), reference.pixels()), amount
    assert cold_cache  # the lines were kept


def test_tone_marks_reaching_into_the_line_above_blend_with_its_letters(
    cold_cache: Lines,
) -> None:
    sheet, reference = Sheet(720), ReferenceSheet(720)
    for paper in (sheet, reference):
        paper.text("gjpqy ygjpq ygjqp", 30, color=MUTED, gap=0)
        # Stacked marks over capitals reach above the line, onto the descenders.
        paper.text("ỄỀỂ ỖẪ Ẵ", 52, gap=0)
        paper.text("gjpqy ygjpq ygjqp", 30, gap=0)
        paper.text("ỄỀỂ ỖẪ Ẵ", 52, color=ACCENT, gap=0)
        paper.text("Ẫ Ỗ", 52, color=ACCENT, center=True)  # nothing under its marks
        # Very large letters reach over the gap under a rule or a picture.
        paper.rule(thickness=2)
        paper.text("Ễ Ẫ", 200, center=True, gap=0)
        paper.picture(_square(), 200)
        paper.text("Ễ Ẫ", 200, color=MUTED, center=True)
    difference = ImageChops.difference(_decoded(sheet.png()).convert("RGB"), reference.pixels())
    # Where letters overlap, the colour drawn before is its palette shade, not the exact
    # blend, and the blend is mapped to a shade again: within two shade steps (8 levels
    # each) of what RGB drawing gave; drawn over (not blended), a mark's edge leaves a
    # lighter hole of 100 levels or more in the descender.
    assert max(difference.tobytes()) <= 2 * 256 // drawing.SHADES


def test_a_warm_cache_draws_the_same_pixels_as_a_cold_one(
    cold_cache: Lines,
) -> None:
    def paper() -> Image.Image:
        sheet = Sheet(720)
        _paper(sheet, "10.000 đồng")
        return _decoded(sheet.png()).convert("RGB")

    cold = paper()
    kept = len(cold_cache)
    warm = paper()
    assert len(cold_cache) == kept  # nothing drawn anew
    assert _same(cold, warm)
    cold_cache.clear()
    assert _same(cold, paper())


def test_the_line_cache_is_bounded_and_drops_the_least_recently_used(
    cold_cache: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drawing, "LINE_CACHE_SIZE", 3)
    texts = ["Người nhận", "Ngân hàng", "Số tài khoản", "Người nhận", "Mã hồ sơ", "Thủ tục"]
    sheet = Sheet(720)
    for text in texts:
        sheet.text(text, 22)
    assert [key[0] for key in cold_cache] == ["Người nhận", "Mã hồ sơ", "Thủ tục"]
    assert sheet.written == texts
    # Evicted lines are drawn again, the same.
    again = Sheet(720)
    for text in texts:
        again.text(text, 22)
    assert _same(_decoded(sheet.png()).convert("RGB"), _decoded(again.png()).convert("RGB"))


def test_a_colour_keys_its_own_line(cold_cache: Lines) -> None:
    sheet = Sheet(720)
    sheet.text("Mã hồ sơ", 22, color=MUTED)
    sheet.text("Mã hồ sơ", 22, color=ACCENT)
    sheet.text("Mã hồ sơ", 22, bold=True, color=ACCENT)
    assert len(cold_cache) == 3
    reference = ReferenceSheet(720)
    reference.text("Mã hồ sơ", 22, color=MUTED)
    reference.text("Mã hồ sơ", 22, color=ACCENT)
    reference.text("Mã hồ sơ", 22, bold=True, color=ACCENT)
    assert _same(_decoded(sheet.png()).convert("RGB"), reference.pixels())


def test_wrap_hands_out_its_own_list() -> None:
    lines = drawing.wrap(LONG, 30, 640, bold=True)
    assert len(lines) > 1 and all(font(30, True).getlength(line) <= 640 for line in lines)
    lines.append("changed")
    assert drawing.wrap(LONG, 30, 640, bold=True) == lines[:-1]


def test_a_long_paper_grows_the_picture() -> None:
    sheet = Sheet(720, height=200)
    for n in range(40):
        sheet.text(f"dòng {n}", 30)
    png = _decoded(sheet.png())
    assert png.size == (720, sheet.y + sheet.margin) and png.height > 1600
    assert sheet.written[-1] == "dòng 39"
