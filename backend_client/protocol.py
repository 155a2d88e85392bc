"""The contract the bot depends on. Another province's back end is another
implementation of this Protocol; `PortalClient` is the one for our portal."""

from __future__ import annotations

from typing import Any, Protocol

from backend_client._models import (
    Application,
    ApplicationSummary,
    Document,
    Erasure,
    EventsPage,
    Fee,
    Payment,
    Procedure,
    ProcedureSummary,
    SearchHit,
    TrackResult,
)


class Backend(Protocol):
    async def list_procedures(self) -> list[ProcedureSummary]: ...
    async def get_procedure(self, slug: str) -> Procedure: ...
    async def search_procedures(self, query: str, limit: int = 5) -> list[SearchHit]: ...
    async def create_application(
        self,
        citizen: str,
        procedure: str,
        *,
        phone: str | None = None,
        lang: str = "vi",
        on_behalf_of: str | None = None,
    ) -> Application: ...
    async def my_applications(self, citizen: str) -> list[ApplicationSummary]: ...
    async def get_application(self, citizen: str, app_id: str) -> Application: ...
    async def set_answers(
        self, citizen: str, app_id: str, answers: dict[str, Any]
    ) -> Application: ...
    async def upload_document(
        self,
        citizen: str,
        app_id: str,
        code: str,
        data: bytes,
        *,
        filename: str = "photo.jpg",
        content_type: str = "application/octet-stream",
    ) -> Document: ...
    async def delete_document(self, citizen: str, app_id: str, doc_id: int) -> None: ...
    async def get_fee(self, citizen: str, app_id: str) -> Fee: ...
    async def submit(self, citizen: str, app_id: str, idempotency_key: str) -> Application: ...
    async def cancel(self, citizen: str, app_id: str, reason: str | None = None) -> Application: ...
    async def get_payment(self, citizen: str, app_id: str) -> Payment: ...
    async def get_payment_qr(self, citizen: str, app_id: str) -> bytes: ...
    async def erase_me(self, citizen: str) -> Erasure: ...
    async def track(self, code: str, citizen: str | None = None) -> TrackResult: ...
    async def events(self, after: int = 0, limit: int = 100) -> EventsPage: ...
    async def aclose(self) -> None: ...
