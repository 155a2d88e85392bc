"""Personal data at rest: Fernet sealing with key rotation, and keyed lookup hashes.

Both the portal (answers, phone) and the bot store (conversation state) seal values
with ``Sealer``: the first key seals, every listed key opens, so a key is rotated by
putting the new one first, keeping the old one listed until every row was sealed
again, then dropping it. A secret that is not already a Fernet key (a long random
string, as settings usually hold) is stretched into one with SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "Sealer", "fernet_key", "lookup_hash", "split_keys"]


def fernet_key(secret: str) -> bytes:
    """A Fernet key from a setting: used as is when it already is one (32 bytes,
    url-safe base64), else derived from the text."""
    raw = secret.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32 and len(raw) == 44:
            return raw
    except (binascii.Error, ValueError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(b"motcua-seal\x00" + raw).digest())


def split_keys(value: str | None) -> list[str]:
    """A comma-separated list of old keys from a setting (empty items dropped)."""
    return [k.strip() for k in (value or "").split(",") if k.strip()]


class Sealer:
    def __init__(self, key: str, old_keys: Iterable[str] = ()) -> None:
        keys = [key, *old_keys]
        self._fernet = MultiFernet([Fernet(fernet_key(k)) for k in keys])

    def seal(self, data: bytes) -> str:
        return self._fernet.encrypt(data).decode("ascii")

    def open(self, token: str) -> bytes:
        """Raises InvalidToken when no listed key opens it (or it was tampered with)."""
        return self._fernet.decrypt(token.encode("ascii"))

    def seal_json(self, value: Any) -> str:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    def open_json(self, token: str) -> Any:
        return json.loads(self.open(token))

    def reseal(self, token: str) -> str:
        """The same plaintext sealed with the first key (for a key rotation)."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def lookup_hash(secret: str, kind: str, value: str) -> str:
    """A keyed digest to find a row by an exact value without storing the value: an
    HMAC, so the digits cannot be recovered by hashing every possible ID."""
    message = f"{kind}\x00{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
