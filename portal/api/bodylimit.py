"""Request-body limits, enforced while the body streams in: before authentication, before
multipart parsing spools anything to disk, and whether or not a Content-Length is sent."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.i18n import N_, localized
from portal.api.downloads import add_nosniff
from portal.api.errors import error_body

# JSON bodies are small (answers, notes): this leaves a wide margin.
JSON_BODY_LIMIT = 256 * 1024
# Multipart framing, the form's other fields and the file name around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
_UPLOAD_PATH = re.compile(r"/v1/applications/[^/]+/documents/?")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the limit is passed. An HTTPException, so that FastAPI's
    body parsing lets it through (it turns other errors into a 400)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(413)
        self.body = body


class BodyLimit:
    """Pure ASGI middleware, the portal's one layer of its own around every HTTP request:
    refuses a declared Content-Length over the limit at once, counts the bytes of
    ``http.request`` messages as the application reads them, and marks every response
    ``nosniff`` (``downloads.add_nosniff``). One layer rather than a second middleware for
    the header: each response message passes one wrapper of ``send``, not two."""

    def __init__(self, app: ASGIApp, *, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    def _limit(self, scope: Scope) -> tuple[int, bool]:
        """The limit, and whether the request is an upload."""
        if scope["method"] == "POST" and _UPLOAD_PATH.fullmatch(scope["path"]):
            return self.max_upload_bytes + MULTIPART_OVERHEAD, True
        return JSON_BODY_LIMIT, False

    def _refusal(self, upload: bool) -> dict[str, Any]:
        # Built only when refusing: translating it into every language is no cost for
        # each request to pay.
        if upload:
            mb = self.max_upload_bytes // (1024 * 1024)
            message = N_("The file is too large. Please send a photo under {mb} MB.")
            return error_body("too_large", localized(message, mb=mb))
        return error_body("http_413", localized(N_("The request is too large.")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                add_nosniff(message)
            await send(message)

        limit, upload = self._limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await JSONResponse(self._refusal(upload), 413)(scope, receive, watched)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self._refusal(upload))
            return message

        try:
            await self.app(scope, limited, watched)
        except BodyTooLarge as exc:
            # Raised outside the app's exception handlers (e.g. by a middleware).
            if not started:
                await JSONResponse(exc.body, 413)(scope, receive, watched)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def install(app: FastAPI, *, max_upload_bytes: int) -> None:
    async def too_large(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return JSONResponse(exc.body, 413)

    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_middleware(BodyLimit, max_upload_bytes=max_upload_bytes)
