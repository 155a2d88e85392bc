"""Hostile inputs get a 4xx with the error shape, never a 500 (issue 10, findings 3-5, 8)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend_client import PortalClient
from tests.conftest import HEAD_TOKEN, PAYMENT_SECRET
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.gateway import signed_callback
from tests.support.images import photo

ANA = "telegram:8001"
AS_HEAD = {"Authorization": f"Bearer {HEAD_TOKEN}"}


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


sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
async def test_parallel_staff_actions_conflict_with_409_never_500(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("signature_certification")
    app = await portal.create_application(ANA, proc.slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    await portal.submit(ANA, app.id, "k")
    actions = ["receive", "review", "request-supplement"] * 17
    answers = await asyncio.gather(
        *(
            http.post(
                f"/v1/staff/applications/{app.id}/{action}",
                json={"note": "n", "documents": []},
                headers=AS_HEAD,
            )
            for action in actions[:50]
        )
    )
    codes = [r.status_code for r in answers]
    assert all(code < 500 for code in codes), codes
    assert 200 in codes and set(codes) <= {200, 409}, codes
    refused = [r.json()["error"] for r in answers if r.status_code != 200]
    assert all(set(e) == {"code", "message", "fields"} for e in refused)
