"""A whole application life through backend_client, read back from the event feed."""

from __future__ import annotations

import httpx

from backend_client import PortalClient, StaffClient
from portal.domain.vietqr import parse_payload
from tests.conftest import PAYMENT_SECRET
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.gateway import signed_callback
from tests.support.images import MINIMAL_PDF, photo

CITIZEN = "telegram:12345"


async def test_full_life_of_a_certified_copy(
    portal: PortalClient,
    clerk: StaffClient,
    head: StaffClient,
    http: httpx.AsyncClient,
    clock: FrozenClock,
) -> None:
    proc = await portal.get_procedure("certified_copy")
    draft = await portal.create_application(CITIZEN, "certified_copy", phone="+84 905 123 456")
    assert draft.status == "draft" and draft.phone == "0905123456"

    answers = sample_answers(proc, today=clock().date(), pages=3, copies=2)
    app = await portal.set_answers(CITIZEN, draft.id, answers)
    assert all(m["field"].startswith("documents.") for m in app.missing)

    for spec in proc.documents:
        if spec.required:
            data = MINIMAL_PDF if spec.accepted == ["pdf"] else photo()
            for _ in range(spec.min_files):
                await portal.upload_document(CITIZEN, draft.id, spec.code, data)
    app = await portal.get_application(CITIZEN, draft.id)
    assert app.missing == []

    submitted = await portal.submit(CITIZEN, draft.id, "key-1")
    again = await portal.submit(CITIZEN, draft.id, "key-1")
    assert submitted.tracking_code and again.tracking_code == submitted.tracking_code
    assert submitted.status == "submitted" and submitted.due_date is not None
    # 3 pages x 2 copies: (2 x 2,000 + 1,000) x 2
    assert submitted.fee_amount == 10_000

    track = await portal.track(submitted.tracking_code.lower().replace("-", " "))
    assert track.status and track.procedure == "certified_copy"

    payment = await portal.get_payment(CITIZEN, draft.id)
    fields = parse_payload(payment.payload)
    assert payment.amount == 10_000 and "10000" in payment.payload
    assert fields  # CRC verified by parse_payload
    qr = await portal.get_payment_qr(CITIZEN, draft.id)
    assert qr.startswith(b"\x89PNG")

    body, headers = signed_callback(
        PAYMENT_SECRET, reference=payment.reference, amount=10_000, transaction_id="FT26068001"
    )
    first = await http.post("/v1/payments/callback", content=body, headers=headers)
    repeat = await http.post("/v1/payments/callback", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["newly_paid"] is True
    assert repeat.status_code == 200 and repeat.json()["newly_paid"] is False

    await clerk.act(draft.id, "receive")
    missing_code = proc.documents[0].code
    asked = await clerk.act(
        draft.id, "request-supplement", documents=[missing_code], note="Ảnh bị mờ"
    )
    assert asked.status == "supplement_requested"
    assert asked.supplement and asked.supplement["documents"] == [missing_code]

    clock.advance(hours=1)
    await portal.upload_document(CITIZEN, draft.id, missing_code, photo(text="RO HON"))
    resubmitted = await portal.submit(CITIZEN, draft.id, "key-2")
    assert resubmitted.status == "submitted"
    assert resubmitted.tracking_code == submitted.tracking_code

    await clerk.act(draft.id, "receive")
    await clerk.act(draft.id, "review")
    await head.act(draft.id, "approve")
    await clerk.act(draft.id, "result-ready", note="Nhận tại Bộ phận Một cửa, quầy số 2")
    done = await clerk.act(draft.id, "complete")
    assert done.status == "completed" and done.finished_at is not None

    history = [t.to_status for t in done.transitions]
    assert history == [
        "draft",
        "submitted",
        "received",
        "supplement_requested",
        "submitted",
        "received",
        "in_review",
        "approved",
        "result_ready",
        "completed",
    ]

    seen: list[str] = []
    cursor = 0
    while True:  # page through the feed as a consumer with a persisted cursor would
        page = await portal.events(after=cursor, limit=3)
        if not page.events:
            break
        seen += [e.type for e in page.events if e.application_id == draft.id]
        cursor = page.next_cursor
    assert seen == [
        "application.submitted",
        "payment.requested",
        "payment.confirmed",
        "application.received",
        "application.supplement_requested",
        "application.resubmitted",
        "application.received",
        "application.in_review",
        "application.approved",
        "application.result_ready",
        "application.completed",
    ]
