"""Text accepted from clients: no lone surrogates (they cannot be stored or sent back as
UTF-8), no NUL (PostgreSQL refuses it) and no other control characters. Multi-line texts
(notes, reasons) may keep tabs and line breaks."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# C0 controls, DEL, C1 controls and the surrogate range.
_NOT_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def plain(value: str) -> str:
    if _NOT_PLAIN.search(value):
        raise ValueError("control characters and unpaired surrogates are not allowed")
    return value


def multiline(value: str) -> str:
    if _NOT_MULTILINE.search(value):
        raise ValueError("control characters and unpaired surrogates are not allowed")
    return value


PlainText = Annotated[str, AfterValidator(plain)]
MultilineText = Annotated[str, AfterValidator(multiline)]
