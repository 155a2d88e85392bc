"""Checking an uploaded file by its content, never by its name.

A file is accepted only when its first bytes say what it is, the format is one
this paper may be sent as, and it opens completely: images are decoded in full
(after their size is checked, so a tiny file claiming a huge picture is never
expanded), PDFs must have their page tree read. Every refusal carries a code
for programs and a message for the citizen saying what to do next.

What is stored is not always what was sent: a picture is re-encoded from its
pixels (turned upright first), so nothing but the picture survives — no EXIF (GPS
position, camera, time), XMP, colour profile or comment, and no bytes appended after
it (a ZIP or an HTML page riding on a JPEG). HEIC photos are stored as JPEG: every
browser opens it, and encoding HEIC again takes seconds. A PDF is stored as sent up
to its end marker, once it is known to carry no JavaScript, launch action or
embedded file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import struct
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final, Literal

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from kernel.i18n import N_, localized
from portal.domain.pdf_active import (
    ActiveContent,
    find_active_content,
    find_active_names,
    scan_unreadable,
)

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
    "pdf_javascript",
    "pdf_launch",
    "pdf_embedded_file",
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
# The format a picture is stored in, and how it is encoded.
_STORED_AS: Final[dict[str, DocumentFormat]] = {
    "jpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "heic": "jpeg",
}
_ENCODER: Final[dict[str, tuple[str, dict[str, int]]]] = {
    "jpeg": ("JPEG", {"quality": 90}),
    "png": ("PNG", {}),
    "webp": ("WEBP", {"quality": 90}),
}
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
    """What is stored: format, size and hash are those of the stored bytes."""

    format: DocumentFormat
    mime: str
    size: int  # bytes
    sha256: str  # hex
    width: int | None = None  # images only, upright
    height: int | None = None
    pages: int | None = None  # 1 for an image


@dataclass(frozen=True)
class PreparedDocument:
    """A file that may be stored: what it is, and the bytes to store."""

    info: DocumentInfo
    content: bytes = field(repr=False)


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
    """What would be stored for this file (see :func:`prepare_document`)."""
    return prepare_document(
        data,
        accepted=accepted,
        max_bytes=max_bytes,
        min_side=min_side,
        max_image_pixels=max_image_pixels,
    ).info


def prepare_document(
    data: bytes,
    *,
    accepted: Collection[str],
    max_bytes: int,
    min_side: int = DEFAULT_MIN_SIDE,
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> PreparedDocument:
    """The bytes to store for this file and what they are, or
    :class:`DocumentRejected` saying why it cannot be used.

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
    if kind == "pdf":
        pages = _check_pdf(data)
        content = _pdf_to_its_end(data)
        info = DocumentInfo(kind, MIME[kind], len(content), _sha256(content), pages=pages)
        return PreparedDocument(info, content)
    picture = _decode_image(data, kind, max_image_pixels)
    width, height = picture.size
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
    stored = _STORED_AS[kind]
    content = _reencode(picture, stored)
    info = DocumentInfo(
        stored,
        MIME[stored],
        len(content),
        _sha256(content),
        width=width,
        height=height,
        pages=1,
    )
    return PreparedDocument(info, content)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def _decode_image(data: bytes, kind: DocumentFormat, max_pixels: int) -> Image.Image:
    """The whole picture, decoded and turned upright as its EXIF orientation says.

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
            return _upright(img)
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt_image() from exc
    except RuntimeError as exc:  # libheif's refusals ("Security limit exceeded"...)
        raise _corrupt_image() from exc


def _upright(img: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says, so that it still looks the same
    once its EXIF is gone. Turned in place: the decoded picture is ours alone, and a
    copy of a phone photo cost ~3 ms of CPU per upload."""
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except (SyntaxError, ValueError, TypeError, KeyError, OSError, struct.error) as exc:
        # Unreadable EXIF: the picture itself decoded, so keep it as it is.
        _log.info("EXIF orientation unreadable (%s); picture kept unturned", exc)
    return img


def _reencode(img: Image.Image, stored: DocumentFormat) -> bytes:
    """The picture's pixels in a new file of format ``stored``, with no metadata."""
    encoder, options = _ENCODER[stored]
    # Only what shapes the pixels stays: EXIF, XMP, ICC profile, comments and text go.
    img.info = {k: v for k, v in img.info.items() if k == "transparency"}
    if encoder == "JPEG" and img.mode == "CMYK":
        img = img.convert("RGB")  # browsers show CMYK JPEGs unevenly, some inverted
    elif encoder == "JPEG" and img.mode not in ("L", "RGB"):
        img = _on_white(img)
    buf = io.BytesIO()
    img.save(buf, format=encoder, **options)
    return buf.getvalue()


def _on_white(img: Image.Image) -> Image.Image:
    """A picture JPEG cannot hold (transparency, high bit depth) flattened to RGB."""
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


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


def _check_pdf(data: bytes) -> int:
    """The number of pages, read from the page tree with pypdf, once the document
    is known to carry no active content (see :mod:`portal.domain.pdf_active`).

    A file pypdf cannot read but that ends properly and writes its page objects
    out plainly (a hand-made or slightly broken file any viewer still opens) is
    counted by those objects instead, and its bytes and streams are scanned for
    active content.
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
        active = find_active_content(reader) or find_active_names(data)
    except DocumentRejected:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        NotImplementedError,  # an unknown stream filter
        AssertionError,  # pypdf asserts on what it reads
    ) as exc:
        # pypdf raises more than its own errors on malformed input.
        _log.info("pypdf could not read a PDF (%s); counting page objects", exc)
        pages = len(_PDF_PAGE.findall(data))
        active = scan_unreadable(data)
    if pages < 1:
        raise _corrupt_pdf()
    if active is not None:
        raise _active(active)
    return pages


def _pdf_to_its_end(data: bytes) -> bytes:
    """The file up to its last end marker: bytes appended after it (a page of HTML)
    are no part of the document."""
    end = data.rindex(b"%%EOF") + len(b"%%EOF")  # _check_pdf found it near the end
    return data[:end] + b"\n" if len(data) > end + 2 else data


def _active(kind: ActiveContent) -> DocumentRejected:
    if kind == "javascript":
        return DocumentRejected(
            "pdf_javascript",
            localized(
                N_(
                    "This PDF file contains a program (JavaScript), so the ward cannot "
                    "accept it. Please send photos of the pages instead."
                )
            ),
        )
    if kind == "launch":
        return DocumentRejected(
            "pdf_launch",
            localized(
                N_(
                    "This PDF file tries to open other programs or files, so the ward "
                    "cannot accept it. Please send photos of the pages instead."
                )
            ),
        )
    return DocumentRejected(
        "pdf_embedded_file",
        localized(
            N_(
                "This PDF file has other files hidden inside it, so the ward cannot "
                "accept it. Please send the paper on its own, or photos of the pages."
            )
        ),
    )
