from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageDraw, PngImagePlugin
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from portal.domain.documents import (
    MIME,
    DocumentInfo,
    DocumentRejected,
    PreparedDocument,
    inspect_document,
    prepare_document,
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


def _prepare(data: bytes, accepted: tuple[str, ...] = ALL, **kwargs: int) -> PreparedDocument:
    return prepare_document(
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
    prepared = _prepare(data)
    stored = "jpeg" if kind == "heic" else kind  # HEIC is stored as JPEG
    assert prepared.info == DocumentInfo(
        format=stored,  # type: ignore[arg-type]
        mime=MIME[stored],
        size=len(prepared.content),
        sha256=hashlib.sha256(prepared.content).hexdigest(),
        width=1200,
        height=900,
        pages=1,
    )
    assert sniff(prepared.content) == stored
    with Image.open(io.BytesIO(prepared.content)) as img:
        assert img.size == (1200, 900)


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
    assert _inspect(data, max_bytes=len(data)).format == "png"
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


def test_a_heic_whose_size_libheif_refuses_is_corrupt_not_a_crash() -> None:
    # A small single-tile picture whose declared width libheif refuses while decoding.
    data = bytearray(_image("HEIF", (64, 48)))
    ispe = data.find(b"ispe")  # the picture's size: version/flags, width, height
    data[ispe + 8 : ispe + 12] = (3_372_220_480).to_bytes(4, "big")
    assert _rejected(bytes(data), min_side=1).code == "corrupt"


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


def _pdf_with_object_streams(
    pages: int, catalog: bytes = b"<</Type/Catalog/Pages 2 0 R>>"
) -> bytes:
    """A PDF 1.5 file, as scanner apps write them, whose catalog and page objects live
    in a compressed object stream: no text search of the file finds its pages."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        catalog,
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


def test_pdf_pypdf_cannot_decode_is_corrupt_not_a_crash() -> None:
    # pypdf raises NotImplementedError for an unknown filter, AssertionError for an
    # object stream that is not one.
    unknown_filter = _pdf_with_object_streams(1).replace(b"/FlateDecode", b"/FlateDecodeX")
    assert _rejected(unknown_filter).code == "corrupt"
    not_a_stream = _pdf_with_object_streams(1).replace(b"/Type/ObjStm", b"/Type/ObjXyz")
    assert _rejected(not_a_stream).code == "corrupt"


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
            "pdf_javascript",
            "pdf_launch",
            "pdf_embedded_file",
        }
    else:
        assert info.format in ALL


# What is stored of a picture: its pixels, upright, and nothing else.


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.txt", "not a paper")
    return buf.getvalue()


@pytest.mark.parametrize(
    "trailer",
    [_zip(), b"<html><body><script>alert(document.cookie)</script></body></html>"],
    ids=["zip", "html"],
)
def test_bytes_appended_to_a_jpeg_are_not_stored(trailer: bytes) -> None:
    photo = _image("JPEG")
    prepared = _prepare(photo + trailer)
    assert prepared.content.endswith(b"\xff\xd9")  # the JPEG's own end marker
    assert trailer not in prepared.content
    assert b"PK\x03\x04" not in prepared.content and b"<script>" not in prepared.content
    assert not zipfile.is_zipfile(io.BytesIO(prepared.content))
    assert prepared.info.sha256 == hashlib.sha256(prepared.content).hexdigest()
    assert prepared.info.size == len(prepared.content)
    with Image.open(io.BytesIO(prepared.content)) as img:
        assert (img.format, img.size) == ("JPEG", (1200, 900))


def _exif(orientation: int | None = None, gps: bool = False) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        where = exif.get_ifd(ExifTags.IFD.GPSInfo)
        where[ExifTags.GPS.GPSLatitudeRef] = "N"
        where[ExifTags.GPS.GPSLatitude] = (16.0, 27.0, 50.0)  # Hue
        where[ExifTags.GPS.GPSLongitudeRef] = "E"
        where[ExifTags.GPS.GPSLongitude] = (107.0, 35.0, 30.0)
    return exif


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>owner: Nguyen Van A</rdf:RDF></x:xmpmeta>'


def _with_metadata(fmt: str, exif: Image.Exif, size: tuple[int, int] = (1200, 900)) -> bytes:
    img = Image.open(io.BytesIO(_image("PNG", size)))
    extra: dict[str, object] = {"icc_profile": b"not-really-a-profile"}
    if fmt in ("JPEG", "WEBP"):
        extra["xmp"] = XMP
    if fmt == "JPEG":
        extra["comment"] = b"taken at 12 Le Loi, Hue"
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        extra["pnginfo"] = text
    buf = io.BytesIO()
    img.save(buf, format=fmt, exif=exif, **extra)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_with_the_gps_position_is_not_stored(fmt: str) -> None:
    sent = _with_metadata(fmt, _exif(gps=True))
    with Image.open(io.BytesIO(sent)) as img:
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file has it
    assert b"Nguyen Van A" in sent  # and its XMP
    prepared = _prepare(sent)
    with Image.open(io.BytesIO(prepared.content)) as img:
        img.load()
        assert not img.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(img.info)
    for trace in (b"PhoneMaker", b"Exif\x00\x00", b"Nguyen Van A", b"adobe:ns:meta", b"Le Loi"):
        assert trace not in prepared.content


def test_a_heic_photo_is_stored_as_jpeg_without_its_exif() -> None:
    sent = _with_metadata("HEIF", _exif(gps=True))
    prepared = _prepare(sent)
    assert (prepared.info.format, prepared.info.mime) == ("jpeg", "image/jpeg")
    with Image.open(io.BytesIO(prepared.content)) as img:
        assert img.format == "JPEG" and not img.getexif()


def test_an_image_turned_by_exif_is_stored_upright() -> None:
    # A phone held upright writes a landscape sensor picture and "rotate 90°" in EXIF.
    sent = _with_metadata("JPEG", _exif(orientation=6), size=(1200, 900))
    prepared = _prepare(sent)
    assert (prepared.info.width, prepared.info.height) == (900, 1200)
    with Image.open(io.BytesIO(prepared.content)) as img:
        assert img.size == (900, 1200) and not img.getexif()
        # The lines drawn across the sensor picture now run top to bottom: a row
        # of pixels crosses them, a column between two of them stays on paper.
        grey = img.convert("L")
        across = [grey.getpixel((x, 600)) for x in range(900)]
        along = [grey.getpixel((450, y)) for y in range(100, 1100)]
    assert min(across) < 100  # type: ignore[type-var]
    assert min(along) > 150  # type: ignore[type-var]


def test_transparency_survives_and_a_transparent_heic_is_flattened() -> None:
    img = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    with Image.open(io.BytesIO(_prepare(buf.getvalue()).content)) as stored:
        assert stored.mode == "RGBA" and stored.getpixel((10, 10))[3] == 0
    buf = io.BytesIO()
    img.save(buf, format="HEIF")
    with Image.open(io.BytesIO(_prepare(buf.getvalue()).content)) as stored:
        assert stored.format == "JPEG" and stored.mode == "RGB"


def test_a_cmyk_jpeg_is_stored_as_rgb() -> None:
    buf = io.BytesIO()
    Image.open(io.BytesIO(_image("PNG"))).convert("CMYK").save(buf, format="JPEG")
    with Image.open(io.BytesIO(_prepare(buf.getvalue()).content)) as stored:
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (1200, 900))


# PDFs that could run something are refused.


def _pdf_writer() -> pypdf.PdfWriter:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def _written(writer: pypdf.PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _js_action(code: str = "app.alert('hi')") -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def _pdf_open_action_js() -> bytes:
    writer = _pdf_writer()
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(_js_action())
    return _written(writer)


def _pdf_names_js() -> bytes:
    writer = _pdf_writer()
    writer.add_open_action(JavaScript("app.alert('hi')"))  # the document-level name tree
    return _written(writer)


def _pdf_page_js() -> bytes:
    writer = _pdf_writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js_action()})
    return _written(writer)


def _pdf_link_js() -> bytes:
    writer = _pdf_writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
            NameObject("/A"): _js_action(),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def _pdf_launch() -> bytes:
    writer = _pdf_writer()
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer.root_object[NameObject("/OpenAction")] = launch
    return _written(writer)


def _pdf_attachment() -> bytes:
    writer = _pdf_writer()
    writer.add_attachment("invoice.exe", b"MZ not really a program")
    return _written(writer)


def _pdf_file_annotation() -> bytes:
    writer = _pdf_writer()
    spec = DictionaryObject(
        {NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject("a.txt")}
    )
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 20, 20)]),
            NameObject("/FS"): spec,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    return _written(writer)


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (_pdf_open_action_js, "pdf_javascript"),
        (_pdf_names_js, "pdf_javascript"),
        (_pdf_page_js, "pdf_javascript"),
        (_pdf_link_js, "pdf_javascript"),
        (_pdf_launch, "pdf_launch"),
        (_pdf_attachment, "pdf_embedded_file"),
        (_pdf_file_annotation, "pdf_embedded_file"),
    ],
)
def test_pdf_with_active_content_is_refused(build: Callable[[], bytes], code: str) -> None:
    data = build()
    assert _inspect(_pdf(1)).pages == 1  # the same page without it is fine
    rejected = _rejected(data)
    assert rejected.code == code
    assert "PDF" in rejected.message["en"] and "Bác" in rejected.message["vi"]


def test_names_spelled_with_escapes_are_still_found() -> None:
    # "/J#61vaScript" is "/JavaScript" to every reader; a plain byte search misses it.
    data = _pdf_open_action_js().replace(b"/JavaScript", b"/J#61vaScript")
    data = data.replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in data and b"/JS " not in data
    assert _rejected(data).code == "pdf_javascript"


def test_javascript_inside_a_compressed_object_stream_is_found() -> None:
    # The catalog (with its OpenAction) lives in a compressed object stream.
    catalog = b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
    data = _pdf_with_object_streams(1, catalog=catalog)
    assert b"JavaScript" not in data
    assert _rejected(data).code == "pdf_javascript"


def test_an_unreadable_pdf_is_scanned_for_active_content() -> None:
    broken = HAND_MADE_PDF.replace(
        b"/Type/Catalog/Pages 2 0 R", b"/Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(x)>>"
    )
    assert _rejected(broken).code == "pdf_launch"


def _unreadable_with_stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    stream = (
        f"5 0 obj<</Filter/FlateDecode/Length {len(packed)}>>stream\n".encode()
        + packed
        + b"\nendstream endobj\n"
    )
    return HAND_MADE_PDF.replace(b"trailer", stream + b"trailer")


def test_an_unreadable_pdf_has_its_streams_inflated_and_scanned() -> None:
    hidden = _unreadable_with_stream(b"<</S/JavaScript/JS(app.alert(1))>>")
    assert b"JavaScript" not in hidden
    assert _rejected(hidden).code == "pdf_javascript"
    only_js_key = _unreadable_with_stream(b"<</JS 7 0 R>>")
    assert _rejected(only_js_key).code == "pdf_javascript"
    # Pixel data that happens to hold the bytes "/JS" is not a script.
    pixels = _unreadable_with_stream(bytes(range(256)) * 50 + b"\x00/JS\x00\xff" + b"\x10" * 99)
    assert _inspect(pixels).pages == 2


def test_bytes_after_the_end_of_a_pdf_are_not_stored() -> None:
    pdf = _pdf(1)
    page = b"<html><script>alert(1)</script></html>\n"
    prepared = _prepare(pdf + page)
    assert prepared.content == pdf and prepared.info.size == len(pdf)
    assert _prepare(pdf).content == pdf  # an ordinary file is stored byte for byte


def test_a_pdf_with_an_ordinary_link_is_accepted() -> None:
    writer = _pdf_writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://dichvucong.gov.vn"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    data = _written(writer)
    prepared = _prepare(data)
    assert prepared.content == data and prepared.info.pages == 1
