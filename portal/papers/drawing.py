"""A tiny top-to-bottom layout for Pillow pictures: wrapped lines of text and images."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from portal.papers.fonts import font

INK = (26, 26, 26)
MUTED = (68, 68, 68)
ACCENT = (138, 28, 28)
BLACK = (0, 0, 0)  # the QR codes' modules
WHITE = (255, 255, 255)
SHADES = 32  # steps from white to each colour: the edges of anti-aliased letters


def _palette() -> Image.Image:
    """White, then each colour a sheet draws with blended with white in SHADES steps:
    every pixel a sheet holds is one of these (letters are drawn on white only)."""
    values = list(WHITE)
    for ink in (INK, MUTED, ACCENT, BLACK):
        for step in range(1, SHADES + 1):
            a = step / SHADES
            values.extend(round(255 * (1 - a) + c * a) for c in ink)
    image = Image.new("P", (1, 1))
    image.putpalette(values)
    return image


PALETTE = _palette()


def wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """``text`` cut at spaces into lines no wider than ``width`` pixels (a word
    longer than a line is cut where it must be)."""
    face = font(size, bold)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if face.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while face.getlength(word) > width:
                cut = len(word)
                while cut > 1 and face.getlength(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class Sheet:
    """Draws from the top down on a white picture ``width`` pixels wide; the height
    grows as needed and is cut to what was drawn."""

    def __init__(self, width: int, margin: int = 40, height: int = 1600) -> None:
        self.width = width
        self.margin = margin
        # A card or a receipt fits in 1600 px; a longer one grows the picture (_room).
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.y = margin
        self.written: list[str] = []  # every line drawn, in order (for the tests' reading)

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def text(
        self,
        text: str,
        size: int,
        *,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        center: bool = False,
        gap: int = 8,
    ) -> None:
        face = font(size, bold)
        for line in wrap(text, size, self.inner, bold):
            self._room(int(size * 1.3))
            x = self.margin
            if center:
                x = (self.width - int(face.getlength(line))) // 2
            self.draw.text((x, self.y), line, font=face, fill=color)
            self.written.append(line)
            self.y += int(size * 1.3)
        self.y += gap

    def field(self, label: str, value: str, size: int = 30) -> None:
        self.text(label, int(size * 0.75), color=MUTED, gap=0)
        self.text(value, size, bold=True)

    def picture(self, png: bytes, side: int) -> None:
        picture = Image.open(io.BytesIO(png)).convert("RGB")
        # A whole number of pixels per module keeps every module square for scanners.
        side = max(1, side // picture.width) * picture.width
        picture = picture.resize((side, side), Image.Resampling.NEAREST)
        self._room(side + 12)
        self.image.paste(picture, ((self.width - side) // 2, self.y))
        self.y += side + 12

    def rule(self, color: tuple[int, int, int] = ACCENT, thickness: int = 4) -> None:
        self._room(thickness + 16)
        self.draw.rectangle(
            (self.margin, self.y, self.width - self.margin, self.y + thickness), fill=color
        )
        self.y += thickness + 16

    def _room(self, height: int) -> None:
        """Make the picture tall enough for ``height`` more pixels and the bottom margin."""
        needed = self.y + height + self.margin
        if needed <= self.image.height:
            return
        taller = Image.new("RGB", (self.width, max(needed, self.image.height * 2)), "white")
        taller.paste(self.image, (0, 0))
        self.image = taller
        self.draw = ImageDraw.Draw(self.image)

    def png(self) -> bytes:
        """The sheet as an 8-bit palette PNG at zlib's fastest level. An RGB PNG with
        optimize=True cost ~120 ms of CPU a card, at level 1 still ~20 ms (Pillow tries
        every row filter on RGB); mapped to the fixed palette of the colours drawn
        (~2 ms, nothing visible lost) it is ~5 ms and half the bytes."""
        out = io.BytesIO()
        cropped = self.image.crop((0, 0, self.width, self.y + self.margin))
        cropped.quantize(palette=PALETTE, dither=Image.Dither.NONE).save(
            out, "PNG", compress_level=1
        )
        return out.getvalue()
