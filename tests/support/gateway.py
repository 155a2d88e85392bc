"""The bank/payment gateway's side of the VietQR payment: a signed callback."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def signed_callback(secret: str, **body: Any) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    sig = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Signature": sig}
