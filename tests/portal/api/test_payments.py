from __future__ import annotations

import httpx
import pytest

from backend_client import Application, NotFoundError, PortalClient, StaffClient
from portal.domain.vietqr import parse_payload
from tests.conftest import PAYMENT_SECRET
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.gateway import signed_callback
from tests.support.images import photo

ANA = "telegram:3001"


async def _submit(portal: PortalClient, clock: FrozenClock, slug: str) -> Application:
    proc = await portal.get_procedure(slug)
    app = await portal.create_application(ANA, slug)
    draft = await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    assert draft.payment is None  # no quote before submitting
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    return await portal.submit(ANA, app.id, "k")


async def _submitted(portal: PortalClient, clock: FrozenClock, slug: str) -> str:
    return (await _submit(portal, clock, slug)).id


async def test_the_submission_carries_its_fee_request(
    portal: PortalClient, clock: FrozenClock
) -> None:
    submitted = await _submit(portal, clock, "signature_certification")
    assert submitted.payment is not None
    assert submitted.payment == await portal.get_payment(ANA, submitted.id)
    assert submitted.payment.amount == submitted.fee_amount == 10_000


async def test_vietqr_payload_matches_the_fee(portal: PortalClient, clock: FrozenClock) -> None:
    app_id = await _submitted(portal, clock, "signature_certification")
    pay = await portal.get_payment(ANA, app_id)
    assert pay.amount == 10_000 and pay.status == "pending"
    fields = parse_payload(pay.payload)
    assert str(fields["54"]) == "10000" and str(fields["53"]) == "704"
    assert pay.amount_words["vi"].startswith("mười nghìn")


async def test_bad_signature_is_refused(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    app_id = await _submitted(portal, clock, "signature_certification")
    pay = await portal.get_payment(ANA, app_id)
    body, headers = signed_callback(
        "wrong-secret", reference=pay.reference, amount=pay.amount, transaction_id="T1"
    )
    response = await http.post("/v1/payments/callback", content=body, headers=headers)
    assert response.status_code == 401
    assert (await portal.get_payment(ANA, app_id)).status == "pending"


async def test_never_paid_twice(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient, clerk: StaffClient
) -> None:
    app_id = await _submitted(portal, clock, "signature_certification")
    pay = await portal.get_payment(ANA, app_id)
    wrong, h0 = signed_callback(
        PAYMENT_SECRET, reference=pay.reference, amount=1, transaction_id="T0"
    )
    assert (await http.post("/v1/payments/callback", content=wrong, headers=h0)).status_code == 422
    body, h1 = signed_callback(
        PAYMENT_SECRET, reference=pay.reference, amount=pay.amount, transaction_id="T1"
    )
    assert (await http.post("/v1/payments/callback", content=body, headers=h1)).status_code == 200
    other, h2 = signed_callback(
        PAYMENT_SECRET, reference=pay.reference, amount=pay.amount, transaction_id="T2"
    )
    second = await http.post("/v1/payments/callback", content=other, headers=h2)
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_paid"
    counter = await http.post(
        f"/v1/staff/applications/{app_id}/counter-payment",
        headers={"Authorization": "Bearer test-clerk-token"},
    )
    assert counter.status_code == 409
    events = [e for e in (await portal.events()).events if e.type == "payment.confirmed"]
    assert len(events) == 1


async def test_counter_payment(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient
) -> None:
    app_id = await _submitted(portal, clock, "signature_certification")
    pay = await clerk.confirm_counter_payment(app_id)
    assert pay.status == "paid" and pay.method == "counter"


async def test_free_procedures_have_no_payment(portal: PortalClient, clock: FrozenClock) -> None:
    app_id = await _submitted(portal, clock, "death_registration")
    app = await portal.get_application(ANA, app_id)
    assert app.fee_amount == 0 and app.payment is None
    with pytest.raises(NotFoundError):
        await portal.get_payment(ANA, app_id)


async def test_unknown_reference(http: httpx.AsyncClient) -> None:
    body, headers = signed_callback(
        PAYMENT_SECRET, reference="MCNOTHING", amount=1000, transaction_id="T9"
    )
    response = await http.post("/v1/payments/callback", content=body, headers=headers)
    assert response.status_code == 404
