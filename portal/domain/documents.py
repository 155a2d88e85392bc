"""Checking an uploaded file by its content, never by its name.

A file is accepted only when its first bytes say what it is, the format is one
this paper may be sent as, and it opens completely: images are decoded in full
(after their size is checked, so a tiny file claiming a huge picture is never
expanded), PDFs must have their page tree read. Every refusal carries a code
for programs and a message for the citizen saying what to do next.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

import pillow_heif
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from motcua.i18n import N_, localized

pillow_heif.register_heif_opener()

DocumentFormat = Literal["jpeg", "png", "webp", "heic", "pdf"]
RejectCode = Literal[
    "too_large",
    "empty",
    "unknown_format",
    "not_accepted",
    "corrupt",
    "too_small",
    "decompression_bomb",
]

MIME: Final[dict[str, str]] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
}
# What Pillow calls each format once the file is open: the content must agree with the magic.
_PIL_FORMAT: Final = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}
# HEIF brands of HEVC-coded pictures (what iPhones send). "mif1"/"msf1" only say
# "some HEIF" (AVIF uses them too), so they count when a HEVC brand is listed as well.
_HEVC_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_GENERIC_HEIF_BRANDS: Final = frozenset({b"mif1", b"msf1"})
# Page objects written out in the file (not the /Pages tree nodes).
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")

DEFAULT_MIN_SIDE: Final = 480  # an A4 page photographed by an old phone stays readable
DEFAULT_MAX_IMAGE_PIXELS: Final = 50_000_000  # 50 MP: above any phone camera

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentInfo:
    format: DocumentFormat
    mime: str
    size: int  # bytes
    sha256: str  # hex
    width: int | None = None  # images only
    height: int | None = None
    pages: int | None = None  # 1 for an image


class DocumentRejected(ValueError):
    """The file cannot be used; ``message`` ({"vi", "en"}) tells the sender what to do."""

    def __init__(self, code: RejectCode, message: dict[str, str]) -> None:
        self.code: RejectCode = code
        self.message = message
        super().__init__(message.get("en", code))


def sniff(data: bytes) -> DocumentFormat | None:
    """The format the first bytes (magic numbers) announce, if one we handle."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and _is_hevc_heif(data):
        return "heic"
    if data.lstrip(b" \t\r\n")[:5] == b"%PDF-":
        return "pdf"
    return None


def _is_hevc_heif(data: bytes) -> bool:
    # ftyp box: size, "ftyp", major brand, minor version, compatible brands...
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 256)]
    major, compatible = box[:4], [box[i : i + 4] for i in range(8, len(box) - 3, 4)]
    if major in _HEVC_BRANDS:
        return True
    return major in _GENERIC_HEIF_BRANDS and any(b in _HEVC_BRANDS for b in compatible)


def inspect_document(
    data: bytes,
    *,
    accepted: Collection[str],
    max_bytes: int,
    min_side: int = DEFAULT_MIN_SIDE,
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> DocumentInfo:
    """What the file really is, or :class:`DocumentRejected` saying why it cannot be used.

    ``accepted``: the formats this paper may be sent as; ``min_side``: the shorter
    side of a photo, in pixels, below which it cannot be read; ``max_image_pixels``:
    width × height above which a picture is refused before it is decoded.
    """
    if not data:
        raise DocumentRejected("empty", localized(N_("The file is empty. Please send it again.")))
    if len(data) > max_bytes:
        raise DocumentRejected(
            "too_large",
            localized(
                N_(
                    "The file is too large (more than {mb} MB). Please send a photo "
                    "instead, or a smaller file."
                ),
                mb=max(1, max_bytes // (1024 * 1024)),
            ),
        )
    kind = sniff(data)
    if kind is None:
        raise DocumentRejected(
            "unknown_format",
            localized(
                N_(
                    "This file is not a photo or a PDF. Please take a photo of the paper "
                    "and send it."
                )
            ),
        )
    if kind not in accepted:
        raise DocumentRejected(
            "not_accepted",
            localized(
                N_("This paper cannot be sent as {kind}. Please send it as: {formats}."),
                kind=_format_name(kind),
                formats=", ".join(_format_name(f) for f in _ordered(accepted)),
            ),
        )
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return DocumentInfo(kind, MIME[kind], len(data), digest, pages=_pdf_pages(data))
    width, height = _decode_image(data, kind, max_image_pixels)
    if min(width, height) < min_side:
        raise DocumentRejected(
            "too_small",
            localized(
                N_(
                    "The photo is too small to read. Please take it again closer to the "
                    "paper, in good light."
                )
            ),
        )
    return DocumentInfo(kind, MIME[kind], len(data), digest, width=width, height=height, pages=1)


def _format_name(kind: str) -> str:
    return {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "heic": "HEIC", "pdf": "PDF"}.get(
        kind, kind.upper()
    )


def _ordered(accepted: Collection[str]) -> list[str]:
    known = [f for f in MIME if f in accepted]
    return known + sorted(set(accepted) - set(known))


def _corrupt_image() -> DocumentRejected:
    return DocumentRejected(
        "corrupt",
        localized(
            N_(
                "This photo is damaged or was not sent completely. Please take the "
                "photo again and send it."
            )
        ),
    )


def _bomb() -> DocumentRejected:
    return DocumentRejected(
        "decompression_bomb",
        localized(
            N_("This picture is far too large to open. Please send an ordinary photo of the paper.")
        ),
    )


def _decode_image(data: bytes, kind: DocumentFormat, max_pixels: int) -> tuple[int, int]:
    """(width, height) once the whole picture has decoded.

    The size in the header is checked before decoding. Pillow's own
    DecompressionBombError (far past its global limit) is caught too; its warning
    is left to the global warning filters, as changing them is not thread-safe and
    the size check here already comes first.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != _PIL_FORMAT[kind]:
                raise _corrupt_image()
            width, height = img.size
            if width * height > max_pixels:
                raise _bomb()
            img.load()
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt_image() from exc
    return width, height


def _corrupt_pdf() -> DocumentRejected:
    return DocumentRejected(
        "corrupt",
        localized(
            N_(
                "This PDF file is damaged or was not sent completely. Please send it "
                "again, or send photos of the pages."
            )
        ),
    )


def _pdf_pages(data: bytes) -> int:
    """The number of pages, read from the page tree with pypdf.

    A file pypdf cannot read but that ends properly and writes its page objects
    out plainly (a hand-made or slightly broken file any viewer still opens) is
    counted by those objects instead.
    """
    if b"%%EOF" not in data[-1024:]:
        raise _corrupt_pdf()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected(
                "corrupt",
                localized(
                    N_(
                        "This PDF file is locked with a password. Please send it without "
                        "the password, or send photos of the pages."
                    )
                ),
            )
        pages = len(reader.pages)
    except DocumentRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pypdf raises more than its own errors on malformed input.
        _log.info("pypdf could not read a PDF (%s); counting page objects", exc)
        pages = len(_PDF_PAGE.findall(data))
    if pages < 1:
        raise _corrupt_pdf()
    return pages
