"""Headers for responses that carry a file rather than JSON.

Every such response says ``nosniff``, so a browser shows the file only as the type
the portal declares (a picture never runs as a page); a citizen's paper is offered as
an attachment, under its sanitised name, never displayed inline on the portal's origin.
:func:`add_nosniff` puts ``nosniff`` on every other response too (the docs' assets, error
bodies), so a route added later cannot forget it: the portal's one ASGI layer
(``portal.api.bodylimit.BodyLimit``) calls it on each response's start.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from starlette.types import Message

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


_NOSNIFF_NAME: Final = b"x-content-type-options"
_NOSNIFF_HEADER: Final = (_NOSNIFF_NAME, b"nosniff")


def add_nosniff(message: Message) -> None:
    """``X-Content-Type-Options: nosniff`` on an ``http.response.start`` message, unless
    the response set the header itself. What starlette's ``MutableHeaders.setdefault``
    does (a copy of the list, the header appended), without building a Headers object
    for each response. Names in ASGI messages are lower case."""
    headers = message["headers"] = list(message.get("headers", ()))
    for name, _ in headers:
        if name == _NOSNIFF_NAME:
            return
    headers.append(_NOSNIFF_HEADER)
