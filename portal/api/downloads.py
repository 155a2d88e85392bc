"""Headers for responses that carry a file rather than JSON.

Every such response says ``nosniff``, so a browser shows the file only as the type
the portal declares (a picture never runs as a page); a citizen's paper is offered as
an attachment, under its sanitised name, never displayed inline on the portal's origin.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

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
