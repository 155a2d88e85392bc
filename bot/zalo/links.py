"""Signed, expiring links to the images the bot sends to Zalo (Zalo fetches a photo by
URL). A link names what to draw — a QR code's text, or one of the portal's pictures
for the chat's citizen (payment QR, payment card, receipt) — and is valid until its
expiry: ``/zalo/media/<payload>?exp=<unix>&sig=<hmac>``, the HMAC-SHA256 over path and
expiry under ZALO_MEDIA_SECRET. Only those pictures can be named: the portal's fetcher
refuses any other path, so no link can reach a citizen's uploaded papers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from dialogs import Media

PREFIX = "/zalo/media/"


class BadLink(Exception):
    """Tampered, malformed or expired."""


@dataclass(frozen=True)
class Target:
    key: str  # the chat (its citizen) the picture is for
    kind: str  # "qr" or "portal_image"
    data: str  # the QR text, or the portal path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class MediaLinks:
    def __init__(
        self,
        base_url: str,
        secret: str,
        ttl: int = 3600,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = secret.encode()
        self.ttl = ttl
        self.now = now

    def _sign(self, path: str, expiry: int) -> str:
        message = f"{path}\n{expiry}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def url(self, key: str, media: Media) -> str:
        payload = json.dumps([key, media.kind, media.data], separators=(",", ":"))
        path = PREFIX + _b64(payload.encode())
        expiry = int(self.now()) + self.ttl
        return f"{self.base_url}{path}?exp={expiry}&sig={self._sign(path, expiry)}"

    def verify(self, path: str, exp: str | None, sig: str | None) -> Target:
        """What a link names, or BadLink (compared in constant time)."""
        if not exp or not sig or not path.startswith(PREFIX):
            raise BadLink("incomplete link")
        try:
            expiry = int(exp)
        except ValueError:
            raise BadLink("bad expiry") from None
        if not hmac.compare_digest(self._sign(path, expiry), sig):
            raise BadLink("bad signature")
        if expiry < self.now():
            raise BadLink("expired")
        try:
            key, kind, data = json.loads(_unb64(path[len(PREFIX) :]))
        except (ValueError, TypeError) as exc:
            raise BadLink("bad payload") from exc
        if kind not in ("qr", "portal_image") or not isinstance(data, str):
            raise BadLink("bad payload")
        return Target(str(key), kind, data)
