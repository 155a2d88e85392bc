"""Inbound photo URLs: size limit (declared or not), timeout, content check."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.files import FileTooLargeError, FileUnavailableError
from bot.zalo.files import ZaloFiles
from dialogs import FileRef
from tests.support.images import MINIMAL_PDF, photo

JPEG = photo(300, 200)


async def chunks() -> AsyncIterator[bytes]:
    yield JPEG
    yield b"\0" * 5000


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/ok.jpg":
        return httpx.Response(200, content=JPEG)
    if path == "/big.jpg":
        return httpx.Response(200, content=JPEG + b"\0" * 5000)
    if path == "/liar.jpg":  # no Content-Length: the stream is counted
        return httpx.Response(200, content=chunks())
    if path == "/doc.pdf":
        return httpx.Response(200, content=MINIMAL_PDF)
    if path == "/slow.jpg":
        raise httpx.ReadTimeout("slow", request=request)
    return httpx.Response(404)


def ref(name: str, scheme: str = "https") -> FileRef:
    return FileRef(ref=f"{scheme}://cdn.zalo.example/{name}", kind="photo")


async def test_downloads_are_bounded_and_checked() -> None:
    files = ZaloFiles(limit=len(JPEG) + 100, transport=httpx.MockTransport(handler))
    try:
        assert await files.fetch(ref("ok.jpg")) == JPEG
        for name in ("big.jpg", "liar.jpg"):
            with pytest.raises(FileTooLargeError):
                await files.fetch(ref(name))
        for name in ("doc.pdf", "slow.jpg", "gone.jpg"):
            with pytest.raises(FileUnavailableError):
                await files.fetch(ref(name))
        with pytest.raises(FileUnavailableError):
            await files.fetch(ref("ok.jpg", scheme="file"))
    finally:
        await files.aclose()
