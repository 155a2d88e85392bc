"""Photos a Zalo user sends arrive as URLs: downloaded with a size limit and a timeout,
and checked to be a picture by their bytes, before the same document and QR paths as a
Telegram photo (the portal validates the content again)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import httpx
from PIL import Image, UnidentifiedImageError

from bot.files import MAX_FILE_BYTES, FileTooLargeError, FileUnavailableError
from dialogs import FileRef

# Magic numbers of the pictures a phone sends (JPEG, PNG, WebP, HEIC/HEIF, GIF).
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def looks_like_image(data: bytes) -> bool:
    if data.startswith(_SIGNATURES):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif")


def check_image(data: bytes) -> None:
    """A picture by its signature, and one Pillow can read the header of (HEIC is left
    to the portal, which decodes it)."""
    if not looks_like_image(data):
        raise FileUnavailableError("not a picture")
    if data[4:8] == b"ftyp":
        return
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise FileUnavailableError(f"not a readable picture: {exc}") from exc


class ZaloFiles:
    """``ref`` is the photo's URL (http or https only)."""

    def __init__(
        self,
        *,
        limit: int = MAX_FILE_BYTES,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.limit = limit
        self._http = httpx.AsyncClient(
            timeout=timeout, follow_redirects=True, max_redirects=3, transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch(self, ref: FileRef) -> bytes:
        if urlsplit(ref.ref).scheme not in ("http", "https"):
            raise FileUnavailableError("not a web address")
        buf = bytearray()
        try:
            async with self._http.stream("GET", ref.ref) as response:
                if response.status_code != 200:
                    raise FileUnavailableError(f"HTTP {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.limit:
                    raise FileTooLargeError(int(declared))
                async for chunk in response.aiter_bytes():
                    buf.extend(chunk)
                    if len(buf) > self.limit:  # a lying or missing Content-Length
                        raise FileTooLargeError(len(buf))
        except httpx.HTTPError as exc:  # timeouts included
            raise FileUnavailableError(str(exc) or type(exc).__name__) from exc
        data = bytes(buf)
        check_image(data)
        return data
