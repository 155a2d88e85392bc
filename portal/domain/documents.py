"""Checking an uploaded file by its content, never by its name."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Collection
from dataclasses import dataclass

import pillow_heif
from PIL import Image, UnidentifiedImageError

from motcua.i18n import N_, localized

pillow_heif.register_heif_opener()

MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}


@dataclass(frozen=True)
class DocumentInfo:
    format: str
    mime: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None


class DocumentRejected(ValueError):
    def __init__(self, code: str, message: dict[str, str]) -> None:
        self.code = code
        self.message = message
        super().__init__(message.get("en", code))


def sniff(data: bytes) -> str | None:
    """The real format from the first bytes (magic numbers)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return None


def _pdf_pages(data: bytes) -> int:
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRejected(
            "corrupt",
            localized(N_("This PDF file is incomplete. Please send it again.")),
        )
    pages = len(re.findall(rb"/Type\s*/Page(?!s)\b", data))
    if pages == 0:
        raise DocumentRejected(
            "corrupt", localized(N_("This PDF file has no pages that can be read."))
        )
    return pages


def inspect_document(
    data: bytes,
    *,
    accepted: Collection[str],
    max_bytes: int,
    min_side: int = 480,
    max_pixels: int = 50_000_000,
) -> DocumentInfo:
    if not data:
        raise DocumentRejected("empty", localized(N_("The file is empty. Please send it again.")))
    if len(data) > max_bytes:
        raise DocumentRejected(
            "too_large",
            localized(
                N_("The file is too large. Please send a photo under {mb} MB."),
                mb=max_bytes // (1024 * 1024),
            ),
        )
    kind = sniff(data)
    if kind is None:
        raise DocumentRejected(
            "unknown_format",
            localized(N_("This is not a photo or a PDF. Please send a photo of the paper.")),
        )
    if kind not in accepted:
        raise DocumentRejected(
            "not_accepted",
            localized(N_("This kind of file is not accepted for this paper. Please send a photo.")),
        )
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return DocumentInfo(kind, MIME[kind], len(data), digest, pages=_pdf_pages(data))
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is an error here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise DocumentRejected(
                        "decompression_bomb",
                        localized(
                            N_("This image is far too large to open. Please send a normal photo.")
                        ),
                    )
                img.load()
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentRejected(
            "decompression_bomb",
            localized(N_("This image is far too large to open. Please send a normal photo.")),
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentRejected(
            "corrupt",
            localized(N_("This photo is damaged or incomplete. Please take it again.")),
        ) from exc
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
