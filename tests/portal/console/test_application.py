"""The application page and its actions: a clerk and the head do a whole case in the
console, every change reaching the event feed the bot's notifier follows."""

from __future__ import annotations

import httpx

from backend_client import PortalClient
from portal.services.context import PortalContext
from tests.portal.console.conftest import ANA, csrf_of, submitted
from tests.support.clock import FrozenClock
from tests.support.images import photo

BOT = {"Authorization": "Bearer test-bot-token"}


async def _act(
    client: httpx.AsyncClient, app_id: str, action: str, **form: str | list[str]
) -> httpx.Response:
    page = await client.get(f"/staff/applications/{app_id}")
    return await client.post(
        f"/staff/applications/{app_id}/act/{action}", data={"csrf": csrf_of(page.text), **form}
    )


async def _events(http: httpx.AsyncClient, app_id: str) -> list[str]:
    feed = (await http.get("/v1/events?after=0", headers=BOT)).json()
    items = feed["events"] if isinstance(feed, dict) else feed
    return [e["type"] for e in items if e["application_id"] == app_id]


async def test_a_whole_case_in_the_console(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    head_client: httpx.AsyncClient,
    http: httpx.AsyncClient,
) -> None:
    app_id, code = await submitted(portal, clock, "birth_registration")
    # Found by its tracking code typed loosely: straight to its page.
    found = await clerk_client.get("/staff/queue", params={"q": code.lower().replace("-", " ")})
    assert found.status_code == 303
    assert found.headers["location"] == f"/staff/applications/{app_id}"
    page = await clerk_client.get(found.headers["location"])
    assert "Tên của bé" in page.text  # answers under their short labels
    assert (await _act(clerk_client, app_id, "receive")).status_code == 303
    clock.advance(minutes=5)
    asked = await _act(
        clerk_client,
        app_id,
        "request-supplement",
        documents=["applicant_id_card"],
        fields=["child_name"],
        note="Ảnh căn cước bị mờ",
    )
    assert asked.status_code == 303
    after = await clerk_client.get(asked.headers["location"])
    assert "Đã xong:" in after.text
    assert "Ảnh căn cước bị mờ" in after.text
    app = await portal.get_application(ANA, app_id)
    assert app.supplement is not None
    assert app.supplement["documents"] == ["applicant_id_card"]
    assert app.supplement["fields"] == ["child_name"]

    # The citizen sends the papers again; the clerk receives it again.
    clock.advance(minutes=5)
    for side in ("truoc", "sau"):
        await portal.upload_document(ANA, app_id, "applicant_id_card", photo(text=side))
    await portal.submit(ANA, app_id, "again")
    for action in ("receive", "review"):
        assert (await _act(clerk_client, app_id, action)).status_code == 303
    # Approving is the head's: the clerk has no such button and the POST is refused.
    page = await clerk_client.get(f"/staff/applications/{app_id}")
    assert "/act/approve" not in page.text
    refused = await _act(clerk_client, app_id, "approve")
    assert refused.status_code == 403
    assert (await portal.get_application(ANA, app_id)).status == "in_review"
    page = await head_client.get(f"/staff/applications/{app_id}")
    assert "/act/approve" in page.text and "/act/reject" in page.text
    assert (await _act(head_client, app_id, "approve")).status_code == 303
    ready = await _act(clerk_client, app_id, "result-ready", note="Quầy số 2, sáng thứ Năm")
    assert ready.status_code == 303
    assert (await _act(clerk_client, app_id, "complete")).status_code == 303
    done = await portal.get_application(ANA, app_id)
    assert done.status == "completed"
    assert done.result_note == "Quầy số 2, sáng thứ Năm"
    actors = [t.actor for t in done.transitions]
    assert "staff:lan" in actors and "staff:minh" in actors

    # Each change is in the feed the bot's notifier turns into chat messages.
    types = await _events(http, app_id)
    for wanted in (
        "application.received",
        "application.supplement_requested",
        "application.in_review",
        "application.approved",
        "application.result_ready",
        "application.completed",
    ):
        assert wanted in types, (wanted, types)

    # Finished: hidden from the queue unless asked for.
    queue = await clerk_client.get("/staff/queue")
    assert code not in queue.text
    assert code in (await clerk_client.get("/staff/queue", params={"finished": "1"})).text
    # Its code still finds it (an old receipt brought back to the desk).
    again = await clerk_client.get("/staff/queue", params={"q": code})
    assert again.headers["location"] == f"/staff/applications/{app_id}"


async def test_a_refusal_needs_its_reason(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    head_client: httpx.AsyncClient,
) -> None:
    app_id, _ = await submitted(portal, clock)
    await _act(clerk_client, app_id, "receive")
    response = await _act(head_client, app_id, "reject", note="  ")
    assert response.status_code == 422
    assert "lý do" in response.text.lower()
    assert (await portal.get_application(ANA, app_id)).status == "received"
    assert (
        await _act(head_client, app_id, "reject", note="Không cư trú tại phường")
    ).status_code == 303
    assert (await portal.get_application(ANA, app_id)).status == "rejected"


async def test_actions_need_the_pages_csrf_token(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    head_client: httpx.AsyncClient,
) -> None:
    app_id, _ = await submitted(portal, clock, "signature_certification")
    other = csrf_of((await head_client.get("/staff/queue")).text)  # another session's token
    for form in ({}, {"csrf": ""}, {"csrf": "forged"}, {"csrf": other}):
        response = await clerk_client.post(f"/staff/applications/{app_id}/act/receive", data=form)
        assert response.status_code == 403
        paid = await clerk_client.post(f"/staff/applications/{app_id}/counter-payment", data=form)
        assert paid.status_code == 403
    app = await portal.get_application(ANA, app_id)
    assert app.status == "submitted" and not app.paid


async def test_counter_payment_then_approval(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    head_client: httpx.AsyncClient,
) -> None:
    app_id, _ = await submitted(portal, clock, "signature_certification")
    await _act(clerk_client, app_id, "receive")
    await _act(clerk_client, app_id, "review")
    unpaid = await _act(head_client, app_id, "approve")
    assert unpaid.status_code == 409  # the fee first, as in the API
    page = await clerk_client.get(f"/staff/applications/{app_id}")
    response = await clerk_client.post(
        f"/staff/applications/{app_id}/counter-payment", data={"csrf": csrf_of(page.text)}
    )
    assert response.status_code == 303
    assert (await portal.get_application(ANA, app_id)).paid
    assert "/counter-payment" not in (await clerk_client.get(f"/staff/applications/{app_id}")).text
    assert (await _act(head_client, app_id, "approve")).status_code == 303


async def test_papers_are_shown_to_signed_in_staff_only(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    browser_like: httpx.AsyncClient,
    ctx: PortalContext,
) -> None:
    app_id, _ = await submitted(portal, clock)
    app = await portal.get_application(ANA, app_id)
    doc = app.documents[0]
    url = f"/staff/applications/{app_id}/documents/{doc.id}"
    page = await clerk_client.get(f"/staff/applications/{app_id}")
    assert f'src="{url}"' in page.text
    image = await clerk_client.get(url)
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    assert image.headers["content-disposition"] == "inline"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in image.headers["content-security-policy"]
    clerk_client.cookies.clear()
    assert (await clerk_client.get(url)).status_code == 303


async def test_the_page_links_the_receipt(
    portal: PortalClient, clock: FrozenClock, clerk_client: httpx.AsyncClient
) -> None:
    app_id, code = await submitted(portal, clock)
    page = await clerk_client.get(f"/staff/applications/{app_id}")
    for kind in ("pdf", "png"):
        assert f'href="/t/{code}/receipt.{kind}"' in page.text
        receipt = await clerk_client.get(f"/t/{code}/receipt.{kind}")
        assert receipt.status_code == 200


async def test_control_characters_are_refused_before_anything_is_written(
    portal: PortalClient, clock: FrozenClock, clerk_client: httpx.AsyncClient
) -> None:
    """As in the API: a NUL (PostgreSQL cannot store it) or another control character in a note,
    a paper's code or the address is a 422, never a 500 or a half-written change."""
    app_id, _ = await submitted(portal, clock)
    csrf = csrf_of((await clerk_client.get(f"/staff/applications/{app_id}")).text)
    for form in (
        {"note": "mờ\x00"},
        {"documents": "death\x00notice"},
        {"note": "\x1b[31m"},
    ):
        response = await clerk_client.post(
            f"/staff/applications/{app_id}/act/receive", data={"csrf": csrf, **form}
        )
        assert response.status_code == 422, form
    assert (await clerk_client.get(f"/staff/applications/{app_id}%00")).status_code == 422
    assert (await clerk_client.get("/staff/queue", params={"q": "a\x00"})).status_code == 422
    assert (await portal.get_application(ANA, app_id)).status == "submitted"
