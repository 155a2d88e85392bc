"""Pictures the bot sends more than once: a QR code rendered once per text, and a
picture uploaded once, then sent again by the ``file_id`` Telegram gave it.

A picture is known by its content (SHA-256 of the bytes), so one that changes (a
payment card after the fee was changed, a receipt in the other language) is a new
picture and is uploaded again; one that does not (the same receipt asked for twice, a
QR code of the same link) costs neither the rendering nor the upload."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.render import qr_png

K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


def digest(image: bytes) -> bytes:
    return hashlib.sha256(image).digest()


class PhotoCache:
    """QR PNGs by their text and Telegram file ids by picture content, each bounded
    (least recently used dropped first). Per process and per bot: a file id is valid
    only for the bot that received it."""

    def __init__(self, *, size: int = 512, render: Callable[[str], bytes] = qr_png) -> None:
        self._qr: _Lru[str, bytes] = _Lru(size)
        self._file_ids: _Lru[bytes, str] = _Lru(size)
        self._render = render

    def qr(self, data: str) -> bytes:
        """The QR code of ``data`` as a PNG, rendered the first time only."""
        image = self._qr.get(data)
        if image is None:
            image = self._render(data)
            self._qr.put(data, image)
        return image

    def cached_qr(self, data: str) -> bytes | None:
        return self._qr.get(data)

    def file_id(self, key: bytes) -> str | None:
        return self._file_ids.get(key)

    def remember(self, key: bytes, file_id: str) -> None:
        self._file_ids.put(key, file_id)

    def forget(self, key: bytes) -> None:
        """Telegram refused the id (another bot token, a file it dropped): upload again."""
        self._file_ids.pop(key)
