"""Headers for responses that carry a file rather than JSON.

Every such response says ``nosniff``, so a browser shows the file only as the type
the portal declares (a picture never runs as a page); a citizen's paper is offered as
an attachment, under its sanitised name, never displayed inline on the portal's origin.
:class:`NoSniff` adds ``nosniff`` to every other response too (the docs' assets, error
bodies), so a route added later cannot forget it.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.domain.filenames import ascii_fallback, safe_filename

NOSNIFF: Final = {"X-Content-Type-Options": "nosniff"}


def attachment(filename: str | None) -> dict[str, str]:
    """Headers offering a download named ``filename`` (sanitised again: rows stored
    before names were sanitised are served safely too)."""
    name = safe_filename(filename)
    disposition = (
        f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return {**NOSNIFF, "Content-Disposition": disposition}


class NoSniff:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_nosniff)
