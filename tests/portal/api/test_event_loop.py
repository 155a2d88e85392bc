"""The portal never blocks its event loop on the database: concurrent requests that wait
for the same row lock (PostgreSQL) leave the portal answering (issue 10, finding 2)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from backend_client import PortalClient
from portal.db.models import Payment
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN, PAYMENT_SECRET
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.gateway import signed_callback
from tests.support.images import photo
from tests.support.server import serve

ANA = "telegram:7001"
AS_ANA = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA}
# Generous: these assert that the portal answers at all, not how fast.
TIMEOUT = httpx.Timeout(20.0)

postgresql_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


async def _submitted(portal: PortalClient, clock: FrozenClock) -> str:
    proc = await portal.get_procedure("signature_certification")
    app = await portal.create_application(ANA, proc.slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    return (await portal.submit(ANA, app.id, "k")).id


async def _health_within_a_second(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=1.0) as client:
        assert (await client.get("/v1/health")).status_code == 200


@postgresql_only
async def test_parallel_gateway_callbacks_leave_the_portal_answering(
    app: FastAPI, ctx: PortalContext, portal: PortalClient, clock: FrozenClock
) -> None:
    app_id = await _submitted(portal, clock)
    pay = await portal.get_payment(ANA, app_id)
    callbacks = [
        signed_callback(
            PAYMENT_SECRET,
            reference=pay.reference,
            amount=pay.amount if n == 0 else pay.amount + n,
            transaction_id=f"T{n}",
        )
        for n in range(4)
    ]
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/v1/payments/callback", content=body, headers=headers)
                    for body, headers in callbacks
                )
            )
        await _health_within_a_second(url)
    # A wrong amount is refused as such (422), or as "already paid" (409) once paid.
    codes = sorted(r.status_code for r in answers)
    assert codes[0] == 200 and set(codes[1:]) <= {409, 422}, codes
    paid = await portal.get_payment(ANA, app_id)
    assert paid.status == "paid" and paid.amount == pay.amount
    with ctx.sessions() as db:
        assert db.scalar(select(func.count()).where(Payment.status == "paid")) == 1


@postgresql_only
async def test_parallel_uploads_to_one_draft_leave_the_portal_answering(
    app: FastAPI, portal: PortalClient
) -> None:
    proc = await portal.get_procedure("birth_registration")
    draft = await portal.create_application(ANA, proc.slug)
    code = proc.documents[0].code
    good = photo()
    bodies = [good if n % 2 == 0 else good[: len(good) // 2] for n in range(6)]
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, headers=AS_ANA) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        f"/v1/applications/{draft.id}/documents",
                        data={"code": code},
                        files={"file": ("p.jpg", data, "image/jpeg")},
                    )
                    for data in bodies
                )
            )
        await _health_within_a_second(url)
    assert sorted(r.status_code for r in answers) == [201, 201, 201, 422, 422, 422]
    assert len((await portal.get_application(ANA, draft.id)).documents) == 3
