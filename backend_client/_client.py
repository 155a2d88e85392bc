"""The async clients: `PortalClient` (what the bot uses) and `StaffClient` (the clerk's CLI)."""

from __future__ import annotations

import json
from datetime import date
from types import TracebackType
from typing import Any, Self

import httpx

from backend_client._models import (
    Application,
    ApplicationSummary,
    Document,
    Erasure,
    EventsPage,
    Fee,
    Holiday,
    Payment,
    Procedure,
    ProcedureSummary,
    SearchHit,
    StaffMember,
    Stats,
    TrackResult,
)
from backend_client._transport import Transport


class _Base:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = Transport(
            base_url, token, timeout=timeout, retries=retries, backoff=backoff, transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _get(self, path: str, *, citizen: str | None = None, **params: Any) -> Any:
        return json.loads(await self._get_raw(path, citizen=citizen, **params))

    async def _get_raw(self, path: str, *, citizen: str | None = None, **params: Any) -> bytes:
        """The body as it came: a model parses it straight from JSON (pydantic-core,
        one pass) instead of json.loads and then validating the dicts."""
        query = {k: v for k, v in params.items() if v is not None}
        response = await self._http.request(
            "GET", path, idempotent=True, citizen=citizen, params=query or None
        )
        return response.content


class PortalClient(_Base):
    """Calls made by the bot: with the bot's service token, on behalf of a citizen
    identity such as ``telegram:12345``."""

    # Catalog
    async def list_procedures(self) -> list[ProcedureSummary]:
        return [ProcedureSummary.model_validate(p) for p in await self._get("/v1/procedures")]

    async def get_procedure(self, slug: str) -> Procedure:
        return Procedure.model_validate_json(await self._get_raw(f"/v1/procedures/{slug}"))

    async def search_procedures(self, query: str, limit: int = 5) -> list[SearchHit]:
        hits = await self._get("/v1/procedures/search", q=query, limit=limit)
        return [SearchHit.model_validate(h) for h in hits]

    # Applications
    async def create_application(
        self,
        citizen: str,
        procedure: str,
        *,
        phone: str | None = None,
        lang: str = "vi",
        on_behalf_of: str | None = None,
    ) -> Application:
        body: dict[str, Any] = {"procedure": procedure, "lang": lang}
        if phone:
            body["phone"] = phone
        if on_behalf_of:
            body["citizen"] = on_behalf_of
        response = await self._http.request(
            "POST", "/v1/applications", idempotent=False, citizen=citizen, json=body
        )
        return Application.model_validate_json(response.content)

    async def my_applications(self, citizen: str) -> list[ApplicationSummary]:
        rows = await self._get("/v1/applications", citizen=citizen)
        return [ApplicationSummary.model_validate(r) for r in rows]

    async def get_application(self, citizen: str, app_id: str) -> Application:
        return Application.model_validate_json(
            await self._get_raw(f"/v1/applications/{app_id}", citizen=citizen)
        )

    async def set_answers(self, citizen: str, app_id: str, answers: dict[str, Any]) -> Application:
        # Setting the same answers twice gives the same result: safe to retry.
        response = await self._http.request(
            "PATCH",
            f"/v1/applications/{app_id}/answers",
            idempotent=True,
            citizen=citizen,
            json={"answers": answers},
        )
        return Application.model_validate_json(response.content)

    async def upload_document(
        self,
        citizen: str,
        app_id: str,
        code: str,
        data: bytes,
        *,
        filename: str = "photo.jpg",
        content_type: str = "application/octet-stream",
    ) -> Document:
        response = await self._http.request(
            "POST",
            f"/v1/applications/{app_id}/documents",
            idempotent=False,
            citizen=citizen,
            data={"code": code},
            files={"file": (filename, data, content_type)},
        )
        return Document.model_validate_json(response.content)

    async def delete_document(self, citizen: str, app_id: str, doc_id: int) -> None:
        await self._http.request(
            "DELETE",
            f"/v1/applications/{app_id}/documents/{doc_id}",
            idempotent=True,
            citizen=citizen,
        )

    async def get_fee(self, citizen: str, app_id: str) -> Fee:
        return Fee.model_validate_json(
            await self._get_raw(f"/v1/applications/{app_id}/fee", citizen=citizen)
        )

    async def submit(self, citizen: str, app_id: str, idempotency_key: str) -> Application:
        # The key makes a retried submit return the same application: safe to retry.
        response = await self._http.request(
            "POST",
            f"/v1/applications/{app_id}/submit",
            idempotent=True,
            citizen=citizen,
            headers={"Idempotency-Key": idempotency_key},
        )
        return Application.model_validate_json(response.content)

    async def cancel(self, citizen: str, app_id: str, reason: str | None = None) -> Application:
        response = await self._http.request(
            "POST",
            f"/v1/applications/{app_id}/cancel",
            idempotent=False,
            citizen=citizen,
            json={"reason": reason},
        )
        return Application.model_validate_json(response.content)

    async def get_payment(self, citizen: str, app_id: str) -> Payment:
        return Payment.model_validate_json(
            await self._get_raw(f"/v1/applications/{app_id}/payment", citizen=citizen)
        )

    async def get_payment_qr(self, citizen: str, app_id: str) -> bytes:
        response = await self._http.request(
            "GET", f"/v1/applications/{app_id}/payment/qr.png", idempotent=True, citizen=citizen
        )
        return response.content

    async def get_payment_card(self, citizen: str, app_id: str, lang: str = "vi") -> bytes:
        """The payment card PNG: the VietQR code with the amount, payee, bank, account,
        transfer content, tracking code and procedure written on it."""
        response = await self._http.request(
            "GET",
            f"/v1/applications/{app_id}/payment/card.png",
            idempotent=True,
            citizen=citizen,
            params={"lang": lang},
        )
        return response.content

    async def get_receipt(
        self, citizen: str, app_id: str, lang: str = "vi", kind: str = "png"
    ) -> bytes:
        """The receipt of a submitted application, ``kind`` "png" or "pdf"."""
        response = await self._http.request(
            "GET",
            f"/v1/applications/{app_id}/receipt.{kind}",
            idempotent=True,
            citizen=citizen,
            params={"lang": lang},
        )
        return response.content

    async def get_document_content(self, citizen: str, app_id: str, doc_id: int) -> bytes:
        response = await self._http.request(
            "GET", f"/v1/applications/{app_id}/documents/{doc_id}", idempotent=True, citizen=citizen
        )
        return response.content

    async def erase_me(self, citizen: str) -> Erasure:
        """Delete the citizen's drafts and never-submitted applications with their
        files; the answer lists the submitted ones the ward keeps. Safe to repeat."""
        response = await self._http.request(
            "DELETE", "/v1/citizens/me", idempotent=True, citizen=citizen
        )
        return Erasure.model_validate_json(response.content)

    # Public lookup and the event feed
    async def track(self, code: str, citizen: str | None = None) -> TrackResult:
        """Anonymous lookup; naming the citizen the bot asks for gives the lookup that
        citizen's own rate limit instead of the one shared by the bot's address."""
        return TrackResult.model_validate_json(
            await self._get_raw(f"/v1/track/{code}", citizen=citizen)
        )

    async def events(self, after: int = 0, limit: int = 100) -> EventsPage:
        return EventsPage.model_validate_json(
            await self._get_raw("/v1/events", after=after, limit=limit)
        )


class StaffClient(_Base):
    """Calls made by ward staff with their own API token."""

    async def me(self) -> StaffMember:
        return StaffMember.model_validate_json(await self._get_raw("/v1/staff/me"))

    async def queue(
        self,
        *,
        status: str | None = None,
        procedure: str | None = None,
        overdue: bool | None = None,
        citizen_id: str | None = None,
        phone: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ApplicationSummary]:
        rows = await self._get(
            "/v1/staff/queue",
            status=status,
            procedure=procedure,
            overdue=None if overdue is None else str(overdue).lower(),
            citizen_id=citizen_id,
            phone=phone,
            limit=limit,
            offset=offset,
        )
        return [ApplicationSummary.model_validate(r) for r in rows]

    async def get_application(self, app_id: str) -> Application:
        return Application.model_validate_json(await self._get_raw(f"/v1/applications/{app_id}"))

    async def act(
        self,
        app_id: str,
        action: str,
        *,
        note: str | None = None,
        documents: list[str] | None = None,
        fields: list[str] | None = None,
    ) -> Application:
        """action: receive, review, request-supplement, approve, reject, result-ready, complete.
        A supplement names the missing `documents` and the answers (`fields`) to give again."""
        response = await self._http.request(
            "POST",
            f"/v1/staff/applications/{app_id}/{action}",
            idempotent=False,
            json={"note": note, "documents": documents or [], "fields": fields or []},
        )
        return Application.model_validate_json(response.content)

    async def confirm_counter_payment(self, app_id: str) -> Payment:
        response = await self._http.request(
            "POST", f"/v1/staff/applications/{app_id}/counter-payment", idempotent=False
        )
        return Payment.model_validate_json(response.content)

    async def stats(self, since: date | None = None, until: date | None = None) -> Stats:
        return Stats.model_validate_json(
            await self._get_raw(
                "/v1/staff/stats",
                since=since.isoformat() if since else None,
                until=until.isoformat() if until else None,
            )
        )

    async def holidays(self) -> list[Holiday]:
        return [Holiday.model_validate(h) for h in await self._get("/v1/staff/holidays")]

    async def set_holiday(self, day: date, working: bool, note: str | None = None) -> Holiday:
        response = await self._http.request(
            "PUT",
            f"/v1/staff/holidays/{day.isoformat()}",
            idempotent=True,
            json={"working": working, "note": note},
        )
        return Holiday.model_validate_json(response.content)

    async def delete_holiday(self, day: date) -> None:
        await self._http.request("DELETE", f"/v1/staff/holidays/{day.isoformat()}", idempotent=True)


def dumps(model: Any) -> str:
    """Pretty JSON for CLIs."""
    if hasattr(model, "model_dump"):
        return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return json.dumps([m.model_dump(mode="json") for m in model], ensure_ascii=False, indent=2)
