from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from portal.domain.documents import (
    MIME,
    DocumentInfo,
    DocumentRejected,
    inspect_document,
    sniff,
)

ALL = ("jpeg", "png", "webp", "heic", "pdf")
MB = 1024 * 1024


def _image(fmt: str, size: tuple[int, int] = (1200, 900)) -> bytes:
    img = Image.new("RGB", size, (245, 243, 235))
    draw = ImageDraw.Draw(img)
    for y in range(20, size[1] - 20, 30):
        draw.line((20, y, size[0] - 20, y), fill=(30, 30, 30), width=3)
    buf = io.BytesIO()
    img.save(buf, format=fmt)  # "HEIF" through pillow_heif, registered by the module
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A well-formed PNG that claims ``width`` × ``height`` but carries almost no data:
    opening it is cheap, decoding it would allocate width × height × 3 bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _pdf(pages: int, password: str | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="ward-owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


HAND_MADE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"4 0 obj<</Type /Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _inspect(data: bytes, accepted: tuple[str, ...] = ALL, **kwargs: int) -> DocumentInfo:
    return inspect_document(
        data, accepted=accepted, max_bytes=kwargs.pop("max_bytes", 10 * MB), **kwargs
    )


def _rejected(data: bytes, accepted: tuple[str, ...] = ALL, **kwargs: int) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        _inspect(data, accepted, **kwargs)
    rejected = caught.value
    assert rejected.message["vi"] and rejected.message["en"]
    assert rejected.message["vi"] != rejected.message["en"]  # translated, not the msgid
    return rejected


@pytest.mark.parametrize(
    ("pil_format", "kind"),
    [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("HEIF", "heic")],
)
def test_photos_are_recognised_by_content(pil_format: str, kind: str) -> None:
    data = _image(pil_format)
    info = _inspect(data)
    assert info == DocumentInfo(
        format=kind,  # type: ignore[arg-type]
        mime=MIME[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=1200,
        height=900,
        pages=1,
    )


def test_heic_from_a_phone_has_the_heic_brand() -> None:
    data = _image("HEIF")
    assert data[4:12] == b"ftypheic"
    assert sniff(data) == "heic"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic"),
        (b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix", "heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif", None),  # AVIF
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2", None),  # an MP4 video
        (b"%PDF-1.7\n", "pdf"),
        (b"\n%PDF-1.4\n", "pdf"),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),  # a .docx or .zip
        (b"Hello, this is text", None),
    ],
)
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


def test_the_photo_size_is_checked_on_the_shorter_side() -> None:
    assert _inspect(_image("JPEG", (480, 2000))).width == 480
    rejected = _rejected(_image("JPEG", (479, 2000)))
    assert rejected.code == "too_small"
    assert rejected.message["en"] == (
        "The photo is too small to read. Please take it again closer to the paper, in good light."
    )
    assert "chụp lại" in rejected.message["vi"]


def test_tiny_image_is_too_small_and_the_minimum_can_be_set() -> None:
    tiny = _image("PNG", (64, 64))
    assert _rejected(tiny).code == "too_small"
    assert _inspect(tiny, min_side=32).width == 64


def test_empty_file() -> None:
    assert _rejected(b"").code == "empty"


def test_too_large_says_the_limit() -> None:
    data = _image("PNG")
    rejected = _rejected(data, max_bytes=len(data) - 1)
    assert rejected.code == "too_large"
    assert _inspect(data, max_bytes=len(data)).size == len(data)
    big = _rejected(b"x" * (3 * MB), max_bytes=2 * MB)
    assert "2 MB" in big.message["en"] and "2 MB" in big.message["vi"]


def test_a_text_file_named_like_a_photo_is_not_a_photo() -> None:
    # What a file called "giay_khai_sinh.jpg" holds when it is really text.
    rejected = _rejected("Giấy khai sinh của bé Lan\n".encode())
    assert rejected.code == "unknown_format"


def test_a_format_this_paper_does_not_take() -> None:
    rejected = _rejected(_image("PNG"), accepted=("pdf", "jpeg"))
    assert rejected.code == "not_accepted"
    assert rejected.message["en"] == (
        "This paper cannot be sent as PNG. Please send it as: JPEG, PDF."
    )
    assert "JPEG, PDF" in rejected.message["vi"]


def test_truncated_jpeg_is_corrupt() -> None:
    data = _image("JPEG")
    assert _rejected(data[: len(data) // 2]).code == "corrupt"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_truncated_images_are_corrupt(fmt: str) -> None:
    data = _image(fmt)
    assert _rejected(data[: len(data) * 2 // 3]).code == "corrupt"


def test_magic_bytes_alone_do_not_make_a_photo() -> None:
    for head in (b"\xff\xd8\xff\xe0", b"RIFF\x00\x00\x00\x00WEBP", b"\x89PNG\r\n\x1a\n"):
        assert _rejected(head + b"\x00garbage" * 50).code == "corrupt"


def test_content_must_agree_with_the_magic() -> None:
    # PNG magic followed by a JPEG: Pillow would call it something else than PNG.
    assert _rejected(b"\x89PNG\r\n\x1a\n" + _image("JPEG")).code == "corrupt"


def test_a_huge_picture_in_a_tiny_file_is_refused_before_decoding() -> None:
    # 100,000 × 100,000 pixels would need 30 GB: past Pillow's own limit as well.
    bomb = _png_header_only(100_000, 100_000)
    assert len(bomb) < 200
    assert _rejected(bomb).code == "decompression_bomb"


def test_the_pixel_limit_is_ours_below_pillows() -> None:
    # 8,000 × 7,000 = 56 MP: under Pillow's default limit, over ours (50 MP).
    data = _png_header_only(8000, 7000)
    rejected = _rejected(data)
    assert rejected.code == "decompression_bomb"
    assert "ảnh chụp" in rejected.message["vi"]
    # With a lower limit an ordinary photo is refused the same way.
    assert _rejected(_image("JPEG"), max_image_pixels=1_000_000).code == "decompression_bomb"


def test_pdf_pages_are_counted() -> None:
    for pages in (1, 3):
        data = _pdf(pages)
        info = _inspect(data)
        assert (info.format, info.mime, info.pages) == ("pdf", "application/pdf", pages)
        assert info.width is None and info.height is None


def _pdf_with_object_streams(pages: int) -> bytes:
    """A PDF 1.5 file, as scanner apps write them, whose catalog and page objects live
    in a compressed object stream: no text search of the file finds its pages."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        f"<</Type/Pages/Kids[{kids}]/Count {pages}>>".encode(),
    ]
    objects += [b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"] * pages
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = " ".join(f"{n} {o}" for n, o in enumerate(offsets, start=1)).encode() + b"\n"
    packed = zlib.compress(header + body)
    stream_no, xref_no = len(objects) + 1, len(objects) + 2
    out = b"%PDF-1.5\n"
    stream_at = len(out)
    out += (
        (
            f"{stream_no} 0 obj<</Type/ObjStm/N {len(objects)}/First {len(header)}"
            f"/Filter/FlateDecode/Length {len(packed)}>>stream\n"
        ).encode()
        + packed
        + b"\nendstream endobj\n"
    )
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, stream_no, i) for i in range(len(objects))]
    rows += [struct.pack(">BIH", 1, stream_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    table = b"".join(rows)
    out += (
        (
            f"{xref_no} 0 obj<</Type/XRef/Size {xref_no + 1}/W[1 4 2]/Root 1 0 R"
            f"/Length {len(table)}>>stream\n"
        ).encode()
        + table
        + b"\nendstream endobj\n"
    )
    return out + f"startxref\n{xref_at}\n%%EOF\n".encode()


def test_pdf_with_compressed_object_streams() -> None:
    data = _pdf_with_object_streams(3)
    assert b"/Type/Page/" not in data
    assert _inspect(data).pages == 3


def test_hand_made_pdf_without_xref_is_counted_by_its_page_objects() -> None:
    assert _inspect(HAND_MADE_PDF).pages == 2


def test_pdf_without_end_marker_is_corrupt() -> None:
    data = _pdf(2)
    assert _rejected(data[: len(data) // 2]).code == "corrupt"


def test_pdf_without_pages_is_corrupt() -> None:
    assert _rejected(b"%PDF-1.4\nnothing here\n%%EOF\n").code == "corrupt"


def test_pdf_locked_with_a_password() -> None:
    rejected = _rejected(_pdf(2, password="secret"))
    assert rejected.code == "corrupt"
    assert "password" in rejected.message["en"] and "mật khẩu" in rejected.message["vi"]


def test_pdf_encrypted_without_a_user_password_opens() -> None:
    assert _inspect(_pdf(2, password="")).pages == 2


@settings(max_examples=150, deadline=None)
@given(
    head=st.sampled_from(
        [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"%PDF-1.4\n"]
    ),
    body=st.binary(max_size=400),
)
def test_any_bytes_are_accepted_or_refused_never_crash(head: bytes, body: bytes) -> None:
    try:
        info = _inspect(head + body, min_side=1)
    except DocumentRejected as rejected:
        assert rejected.code in {
            "empty",
            "unknown_format",
            "corrupt",
            "too_small",
            "decompression_bomb",
        }
    else:
        assert info.format in ALL and info.size == len(head + body)
