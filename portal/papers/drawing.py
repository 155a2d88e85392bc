"""A tiny top-to-bottom layout for Pillow pictures: wrapped lines of text and images.

A sheet is drawn straight in palette indices (an "L" picture whose values index PALETTE,
white being 0), so its PNG needs no quantize pass; each line of text is rasterised once
and kept (_LINES), since most lines (the ward, titles, labels, payee, bank, hints) are the
same on every application's card and receipt. A line's pixels are the indices the old
RGB drawing quantized to (_shades), so the papers look as before: the same pixels, but
where the letters of two lines overlap (within a shade there, see Sheet._write)."""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache

from isal import isal_zlib
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
_PALETTE_VALUES = PALETTE.getpalette() or []

# Rasterised lines kept, least recently used dropped first. A line is two bytes a pixel
# (coverage and indices): 256 lines of a 720 px wide paper are at most ~25 MB a worker,
# in practice (short labels) a few MB; a card and a receipt draw ~30 lines.
LINE_CACHE_SIZE = 256


@cache
def _shades(color: tuple[int, int, int]) -> bytes:
    """The palette index of each coverage 0..255 of ``color`` on white: what drawing
    the colour through an anti-aliasing mask on RGB white and quantizing gives."""
    coverage = Image.frombytes("L", (256, 1), bytes(range(256)))
    rgb = Image.new("RGB", (256, 1), WHITE)
    ImageDraw.Draw(rgb).bitmap((0, 0), coverage, fill=color)
    return rgb.quantize(palette=PALETTE, dither=Image.Dither.NONE).tobytes()


@cache
def _grey_indices() -> list[int]:
    """The palette index nearest each grey 0..255 (as quantizing gives)."""
    greys = Image.frombytes("L", (256, 1), bytes(range(256))).convert("RGB")
    return list(greys.quantize(palette=PALETTE, dither=Image.Dither.NONE).tobytes())


@dataclass(frozen=True)
class _Line:
    """One line of text rasterised: its anti-aliasing coverage, the palette indices
    that gives on white, where they sit from the pen position, and the advance width."""

    color: tuple[int, int, int]
    coverage: Image.Image | None  # None: nothing visible (an empty line or spaces)
    pixels: Image.Image | None
    left: int
    top: int
    length: float


_LINES: OrderedDict[tuple[str, int, bool, tuple[int, int, int]], _Line] = OrderedDict()
_LINES_LOCK = threading.Lock()  # the portal draws in its thread pool


def _render(text: str, size: int, bold: bool, color: tuple[int, int, int]) -> _Line:
    face = font(size, bold)
    length = face.getlength(text)
    left, top, right, bottom = face.getbbox(text)
    if right <= left or bottom <= top:
        return _Line(color, None, None, 0, 0, length)
    # Drawn as Pillow would draw it on the paper (same pen origin, whole pixels), in
    # coverage 0..255, then mapped to the colour's palette indices.
    coverage = Image.new("L", (int(right - left), int(bottom - top)), 0)
    ImageDraw.Draw(coverage).text((-left, -top), text, font=font(size, bold), fill=255)
    pixels = coverage.point(list(_shades(color)))
    return _Line(color, coverage, pixels, int(left), int(top), length)


def _line(text: str, size: int, bold: bool, color: tuple[int, int, int]) -> _Line:
    key = (text, size, bold, color)
    with _LINES_LOCK:
        line = _LINES.get(key)
        if line is not None:
            _LINES.move_to_end(key)
            return line
    line = _render(text, size, bold, color)  # outside the lock: two threads may both draw it
    with _LINES_LOCK:
        _LINES[key] = line
        while len(_LINES) > LINE_CACHE_SIZE:
            _LINES.popitem(last=False)
    return line


def wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """``text`` cut at spaces into lines no wider than ``width`` pixels (a word
    longer than a line is cut where it must be)."""
    return list(_wrap(text, size, width, bold))


@lru_cache(maxsize=1024)
def _wrap(text: str, size: int, width: int, bold: bool) -> tuple[str, ...]:
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
    return tuple(lines)


class Sheet:
    """Draws from the top down on a white picture ``width`` pixels wide; the height
    grows as needed and is cut to what was drawn."""

    def __init__(self, width: int, margin: int = 40, height: int = 1600) -> None:
        self.width = width
        self.margin = margin
        # A card or a receipt fits in 1600 px; a longer one grows the picture (_room).
        # Palette indices, 0 being white (see the module's docstring).
        self.image = Image.new("L", (width, height), 0)
        self.y = margin
        self._ink_bottom = 0  # every row from here down is still white
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
        for text_line in _wrap(text, size, self.inner, bold):
            self._room(int(size * 1.3))
            line = _line(text_line, size, bold, color)
            x = self.margin
            if center:
                x = (self.width - int(line.length)) // 2
            self._write(line, x)
            self.written.append(text_line)
            self.y += int(size * 1.3)
        self.y += gap

    def _write(self, line: _Line, x: int) -> None:
        if line.coverage is None or line.pixels is None:
            return
        box = (
            x + line.left,
            self.y + line.top,
            x + line.left + line.coverage.width,
            self.y + line.top + line.coverage.height,
        )
        # Letters are drawn on white: their indices are pasted as they are. Tone marks
        # stacked over capitals can reach above the line, onto the one before (its
        # descenders); there the colour is blended in RGB over what is drawn and mapped
        # back to the palette, as the whole sheet once was.
        bottom, self._ink_bottom = self._ink_bottom, max(self._ink_bottom, box[3])
        if box[1] >= bottom or self.image.crop(box).getbbox() is None:
            self.image.paste(line.pixels, box[:2])
            return
        under = self.image.crop(box)
        under.putpalette(_PALETTE_VALUES)
        rgb = under.convert("RGB")
        ImageDraw.Draw(rgb).bitmap((0, 0), line.coverage, fill=line.color)
        blended = rgb.quantize(palette=PALETTE, dither=Image.Dither.NONE)
        self.image.paste(Image.frombytes("L", blended.size, blended.tobytes()), box[:2])

    def field(self, label: str, value: str, size: int = 30) -> None:
        self.text(label, int(size * 0.75), color=MUTED, gap=0)
        self.text(value, size, bold=True)

    def picture(self, picture: Image.Image, side: int) -> None:
        """``picture`` (a QR code: kernel.qr.qr_modules, a pixel a module) scaled to
        about ``side`` pixels, centred."""
        # Mapped to the palette at its own size, then scaled.
        if picture.mode == "L":
            picture = picture.point(_grey_indices())
        else:
            indices = picture.convert("RGB").quantize(palette=PALETTE, dither=Image.Dither.NONE)
            picture = Image.frombytes("L", indices.size, indices.tobytes())
        # A whole number of pixels per module keeps every module square for scanners.
        side = max(1, side // picture.width) * picture.width
        picture = picture.resize((side, side), Image.Resampling.NEAREST)
        self._room(side + 12)
        self.image.paste(picture, ((self.width - side) // 2, self.y))
        self._ink_bottom = max(self._ink_bottom, self.y + side)
        self.y += side + 12

    def rule(self, color: tuple[int, int, int] = ACCENT, thickness: int = 4) -> None:
        self._room(thickness + 16)
        self.image.paste(
            _shades(color)[255],
            (self.margin, self.y, self.width - self.margin + 1, self.y + thickness + 1),
        )
        self._ink_bottom = max(self._ink_bottom, self.y + thickness + 1)
        self.y += thickness + 16

    def _room(self, height: int) -> None:
        """Make the picture tall enough for ``height`` more pixels and the bottom margin."""
        needed = self.y + height + self.margin
        if needed <= self.image.height:
            return
        taller = Image.new("L", (self.width, max(needed, self.image.height * 2)), 0)
        taller.paste(self.image, (0, 0))
        self.image = taller

    def png(self) -> bytes:
        """The sheet as an 8-bit palette PNG, written here around ISA-L's deflate. An
        RGB PNG with optimize=True cost ~120 ms of CPU a card; quantized to the palette
        and saved by Pillow at zlib's fastest level ~5 ms, ~1.5 ms of it deflating the
        ~1 MB of rows; ISA-L deflates them in ~0.25 ms, and ~10% smaller."""
        width, height = self.width, self.y + self.margin
        # Each PNG row starts with its filter type, 0 (none: the usual choice for a
        # palette picture): a picture one column wider whose first column stays 0.
        rows = Image.new("L", (width + 1, height), 0)
        rows.paste(self.image, (1, 0))
        header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette
        return b"".join(
            (
                b"\x89PNG\r\n\x1a\n",
                _chunk(b"IHDR", header),
                _chunk(b"PLTE", bytes(_PALETTE_VALUES)),
                _chunk(b"IDAT", isal_zlib.compress(rows.tobytes(), 1)),
                _chunk(b"IEND", b""),
            )
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
