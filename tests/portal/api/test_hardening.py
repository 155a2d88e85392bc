"""Hostile inputs get a 4xx with the error shape, never a 500 (issue 10, findings 3-5, 8)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI

from backend_client import PortalClient
from portal.api import presenters
from portal.api.schemas import ApplicationOut
from portal.db.models import Application
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN, HEAD_TOKEN, PAYMENT_SECRET
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


AS_ANA = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA}
CONTROL_TEXTS = ["\udc80", "a\x00b", "a\x1bb", "a\x7fb"]


async def _complete_draft(portal: PortalClient, clock: FrozenClock) -> str:
    proc = await portal.get_procedure("signature_certification")
    app = await portal.create_application(ANA, proc.slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    return app.id


def _json(body: object) -> dict[str, object]:
    # json.dumps escapes a lone surrogate as \\udc80, as a hostile client would send it.
    return {"content": json.dumps(body), "headers": {**AS_ANA, "Content-Type": "application/json"}}


@pytest.mark.parametrize("bad", CONTROL_TEXTS)
async def test_control_characters_in_answers_are_refused_and_nothing_is_written(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock, bad: str
) -> None:
    app_id = await _complete_draft(portal, clock)
    before = (await http.get(f"/v1/applications/{app_id}", headers=AS_ANA)).json()
    name = next(iter(before["answers"]))
    for answers in ({name: bad}, {bad: "x"}):
        response = await http.patch(
            f"/v1/applications/{app_id}/answers", **_json({"answers": answers})
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_request"
    after = await http.get(f"/v1/applications/{app_id}", headers=AS_ANA)
    assert after.status_code == 200 and after.json()["answers"] == before["answers"]
    submitted = await portal.submit(ANA, app_id, "k")
    assert submitted.status == "submitted"


@pytest.mark.parametrize("bad", CONTROL_TEXTS)
async def test_control_characters_in_reason_note_and_names_are_refused(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock, bad: str
) -> None:
    app_id = await _complete_draft(portal, clock)
    cancel = await http.post(f"/v1/applications/{app_id}/cancel", **_json({"reason": bad}))
    assert cancel.status_code == 422, cancel.text
    created = await http.post(
        "/v1/applications", **_json({"procedure": "signature_certification", "phone": bad})
    )
    assert created.status_code == 422, created.text
    # A URL carries UTF-8 only: a lone surrogate cannot even be sent in a query.
    in_url = bad.encode("utf-8", "replace").decode()
    search = await http.get("/v1/procedures/search", params={"q": in_url}, headers=AS_ANA)
    assert search.status_code == (200 if bad == "\udc80" else 422), search.text
    submitted = await portal.submit(ANA, app_id, "k")
    note = await http.post(
        f"/v1/staff/applications/{app_id}/receive",
        content=json.dumps({"note": f"ok {bad}"}),
        headers={**AS_HEAD, "Content-Type": "application/json"},
    )
    assert note.status_code == 422, note.text
    queue = await http.get("/v1/staff/queue", params={"procedure": in_url}, headers=AS_HEAD)
    assert queue.status_code == (200 if bad == "\udc80" else 422), queue.text
    after = await portal.get_application(ANA, app_id)
    assert after.status == submitted.status == "submitted"
    assert [t.to_status for t in after.transitions] == [t.to_status for t in submitted.transitions]


async def test_a_multi_line_answer_is_accepted(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock
) -> None:
    app_id = await _complete_draft(portal, clock)
    response = await http.patch(
        f"/v1/applications/{app_id}/answers",
        json={"answers": {"document_title": "Giấy ủy quyền\nbán xe"}},
        headers=AS_ANA,
    )
    assert response.status_code == 200, response.text


async def test_a_multi_line_note_keeps_its_line_breaks(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock
) -> None:
    app_id = await _complete_draft(portal, clock)
    await portal.submit(ANA, app_id, "k")
    note = await http.post(
        f"/v1/staff/applications/{app_id}/receive",
        json={"note": "line one\nline two\twith a tab"},
        headers=AS_HEAD,
    )
    assert note.status_code == 200, note.text
    assert note.json()["transitions"][-1]["note"] == "line one\nline two\twith a tab"


async def test_control_characters_in_ids_and_keys_are_refused(
    http: httpx.AsyncClient, portal: PortalClient, clock: FrozenClock
) -> None:
    app_id = await _complete_draft(portal, clock)
    for path in ("/v1/applications/a%00b", "/v1/applications/%ED%B2%80"):
        response = await http.get(path, headers=AS_ANA)
        assert response.status_code in (404, 422), response.text
    keyed = await http.post(
        f"/v1/applications/{app_id}/submit", headers={**AS_ANA, "Idempotency-Key": "k\x01"}
    )
    assert keyed.status_code == 422, keyed.text
    assert (await portal.get_application(ANA, app_id)).status == "draft"


async def test_a_response_that_cannot_be_sent_leaves_nothing_written(
    app: FastAPI, portal: PortalClient, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever slips through into a body that cannot be encoded (a lone surrogate),
    the request fails before its commit, not after."""
    app_id = await _complete_draft(portal, clock)
    real = presenters.application

    def unsendable(ctx: PortalContext, application: Application) -> ApplicationOut:
        return real(ctx, application).model_copy(update={"procedure": "x\udc80"})

    monkeypatch.setattr(presenters, "application", unsendable)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        cancel = await client.post(f"/v1/applications/{app_id}/cancel", headers=AS_ANA)
        submit = await client.post(
            f"/v1/applications/{app_id}/submit", headers={**AS_ANA, "Idempotency-Key": "k"}
        )
    assert cancel.status_code == submit.status_code == 500
    monkeypatch.undo()
    assert (await portal.get_application(ANA, app_id)).status == "draft"


async def test_created_resources_answer_201(http: httpx.AsyncClient) -> None:
    created = await http.post(
        "/v1/applications", json={"procedure": "birth_registration"}, headers=AS_ANA
    )
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
