"""Active content in a PDF: what a viewer could run or open by itself.

A scanned paper needs none of it, and a PDF that carries it is refused: JavaScript
(on open, on a page, in a form field or a link), launch actions (start a program or
open a file), and embedded files (attachments, file-attachment annotations, actions
that go to an embedded document).

The document is walked as pypdf parses it, from the trailer through every reachable
dictionary and array (compressed object streams included, names with ``#xx``
escapes decoded), rather than by grepping bytes; a few unmistakable names are also
looked for in the raw bytes, in case another reader finds objects pypdf skipped.
When pypdf cannot read the file at all, the raw bytes and every stream that
inflates are scanned instead.
"""

from __future__ import annotations

import re
import zlib
from typing import Final, Literal

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

ActiveContent = Literal["javascript", "launch", "embedded_file"]

# Action types (/S) and what they do.
_ACTIONS: Final[dict[str, ActiveContent]] = {
    "/JavaScript": "javascript",
    "/RichMediaExecute": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/GoToE": "embedded_file",
}
# Keys whose presence alone is enough.
_KEYS: Final[dict[str, ActiveContent]] = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the catalog's /Names entry
    "/EmbeddedFiles": "embedded_file",  # the catalog's /Names entry
    "/EF": "embedded_file",  # a file specification carrying the file itself
}
_TYPES: Final[dict[str, ActiveContent]] = {"/EmbeddedFile": "embedded_file"}
_SUBTYPES: Final[dict[str, ActiveContent]] = {"/FileAttachment": "embedded_file"}

# Names long enough never to occur by chance in compressed data. "/JS" is too short
# for that and is found by the walk.
_RAW_NAMES: Final = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|FileAttachment)(?![A-Za-z])")
# "/JS" only as a key followed by its script (a string or a reference): inflated
# binary data (pictures) holds a bare "/JS" every few megabytes by chance.
_ANY_NAME: Final = re.compile(
    rb"/(JavaScript|Launch|EmbeddedFiles?|FileAttachment)(?![A-Za-z])"
    rb"|/(JS)\s*(?:[(<]|\d+\s+\d+\s+R)"
)
_NAME_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM: Final = re.compile(rb"stream\r?\n")
_RAW_MEANING: Final[dict[bytes, ActiveContent]] = {
    b"JavaScript": "javascript",
    b"JS": "javascript",
    b"Launch": "launch",
    b"EmbeddedFile": "embedded_file",
    b"EmbeddedFiles": "embedded_file",
    b"FileAttachment": "embedded_file",
}
_MAX_INFLATED: Final = 64 * 1024 * 1024  # over all streams of one unreadable file


def find_active_content(reader: PdfReader) -> ActiveContent | None:
    """The first kind of active content reachable from the trailer, if any."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject | None] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary only
            found = _in_dictionary(obj)
            if found is not None:
                return found
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _in_dictionary(obj: DictionaryObject) -> ActiveContent | None:
    for key, kind in _KEYS.items():
        if key in obj:
            return kind
    for key, table in (("/S", _ACTIONS), ("/Type", _TYPES), ("/Subtype", _SUBTYPES)):
        value = obj.get(key)
        if isinstance(value, IndirectObject):
            value = value.get_object()
        if isinstance(value, str) and value in table:
            return table[value]
    return None


def find_active_names(data: bytes) -> ActiveContent | None:
    """Unmistakable active-content names written plainly in the file's bytes."""
    match = _RAW_NAMES.search(_NAME_ESCAPE.sub(_unescape, data))
    return _RAW_MEANING[match.group(1)] if match else None


def scan_unreadable(data: bytes) -> ActiveContent | None:
    """For a file pypdf cannot read: every name in the bytes and in every stream
    that inflates, "/JS" included (there is no parsed document to walk)."""
    found = _names_in(data)
    budget = _MAX_INFLATED
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        if found is not None or budget <= 0:
            break
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        try:
            part = zlib.decompressobj().decompress(view[match.end() : end], budget)
        except zlib.error:
            continue
        budget -= len(part)
        found = _names_in(part)
    return found


def _names_in(part: bytes) -> ActiveContent | None:
    found = _ANY_NAME.search(_NAME_ESCAPE.sub(_unescape, part))
    return _RAW_MEANING[found.group(1) or found.group(2)] if found else None


def _unescape(match: re.Match[bytes]) -> bytes:
    return bytes([int(match.group(1), 16)])
