"""Pure helpers every channel shares: QR images, long texts, button data limits."""

from __future__ import annotations

import io
import logging

import segno

from dialogs import Btn
from kernel.qr import qr_png

log = logging.getLogger(__name__)

__all__ = ["callback_data_ok", "qr_png", "qr_terminal", "safe_buttons", "split_text"]

MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CAPTION = 1024  # ... and for a photo's caption
MAX_CALLBACK_DATA = 64  # bytes


def qr_terminal(data: str) -> str:
    """A QR code drawn with block characters (two rows per line)."""
    buf = io.StringIO()
    segno.make(data, error="m", micro=False).terminal(out=buf, compact=True, border=2)
    return buf.getvalue()


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages of at most ``limit`` characters, at paragraph
    boundaries when possible, then at lines, then at spaces, then anywhere."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        sep = piece[0]
        body = piece[1]
        candidate = f"{current}{sep}{body}" if current else body
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = body
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """(separator before it, piece) with every piece within the limit."""
    out: list[tuple[str, str]] = []
    for para in text.split("\n\n"):
        if len(para) <= limit:
            out.append(("\n\n", para))
            continue
        first = True
        for line in para.split("\n"):
            sep = "\n\n" if first else "\n"
            first = False
            for chunk in _cut_line(line, limit):
                out.append((sep, chunk))
                sep = " "
    return out


def _cut_line(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    chunks: list[str] = []
    rest = line
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def callback_data_ok(data: str) -> bool:
    return 0 < len(data.encode("utf-8")) <= MAX_CALLBACK_DATA


def safe_buttons(rows: tuple[tuple[Btn, ...], ...]) -> list[list[Btn]]:
    """The rows without any button whose data Telegram would refuse (a bug in the
    engine must cost one button, not the whole message)."""
    kept: list[list[Btn]] = []
    for row in rows:
        good = []
        for button in row:
            if callback_data_ok(button.data):
                good.append(button)
            else:
                log.error(
                    "dropping button %r: callback data of %d bytes",
                    button.label,
                    len(button.data.encode()),
                )
        if good:
            kept.append(good)
    return kept
