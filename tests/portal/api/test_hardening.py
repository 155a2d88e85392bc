"""Hostile inputs get a 4xx with the error shape, never a 500 (issue 10, findings 3-5, 8)."""

from __future__ import annotations

import httpx

from tests.conftest import PAYMENT_SECRET
from tests.support.gateway import signed_callback


async def test_a_non_ascii_signature_is_refused_not_a_crash(http: httpx.AsyncClient) -> None:
    body, headers = signed_callback(PAYMENT_SECRET, reference="X", amount=1, transaction_id="T")
    headers["X-Signature"] = "é" * 64
    response = await http.post(
        "/v1/payments/callback",
        content=body,
        headers={k: v.encode("latin-1") for k, v in headers.items()},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
