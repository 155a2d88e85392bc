from __future__ import annotations

import io

from PIL import Image, ImageDraw


def photo(width: int = 1200, height: int = 900, fmt: str = "JPEG", text: str = "GIAY") -> bytes:
    """A document-like photo: light paper with dark lines of 'text'."""
    img = Image.new("RGB", (width, height), (245, 243, 235))
    draw = ImageDraw.Draw(img)
    for y in range(60, height - 40, 40):
        draw.line((60, y, width - 60, y), fill=(40, 40, 40), width=3)
    draw.text((80, 20), text, fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
