"""Decoding Bot API request parameters the way the real server accepts them.

aiogram posts `application/x-www-form-urlencoded` (or `multipart/form-data` when
a file is attached) where strings go as-is and every other value is JSON-encoded
(`"123"`, `"true"`, `'{"inline_keyboard": ...}'`). Other clients may send a JSON
body or a query string; all three are accepted.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, StreamReader, hdrs, web
from aiohttp.base_protocol import BaseProtocol

from .telegram_errors import bad_request

JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
        "permissions",
        "menu_button",
        "options",
        "results",
    }
)
INT_PARAMS = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "message_id",
        "message_thread_id",
        "max_connections",
        "reply_to_message_id",
        "icon_color",
        "duration",
        "user_id",
        "cache_time",
        "width",
        "height",
        "live_period",
    }
)
CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "show_alert",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in the request."""

    field: str
    filename: str
    content_type: str
    data: bytes


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if key in JSON_PARAMS:
            return json.loads(value)
        if key in INT_PARAMS:
            return int(value)
        if key in FLOAT_PARAMS:
            return float(value)
    except ValueError as exc:
        raise bad_request(f"can't parse {key}") from exc
    if key in CHAT_ID_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername"
    if key in BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value


# A form as aiohttp's FormData writes it (aiogram's uploads): `boundary=` a plain token.
_MULTIPART = re.compile(r"multipart/form-data; *boundary=([0-9A-Za-z_.-]{1,70})", re.IGNORECASE)
_DISPOSITION = re.compile(r'form-data; name="([\w.\- ]+)"(?:; filename="([\w.\- ]+)")?', re.ASCII)


def _plain_form(body: bytes, boundary: str) -> tuple[dict[str, Any], dict[str, Upload]] | None:
    """The fields and files of a multipart form in the plain shape aiohttp's FormData
    writes: each part with a Content-Disposition of a simple name (and filename) and
    at most a Content-Type, text parts in UTF-8. What aiohttp's request.post() gives
    for it, without its machinery (it parses each request's unique Content-Type through
    the email package: ~0.2 ms). None for anything else, which aiohttp then parses."""
    delimiter = b"--" + boundary.encode()
    if not body.startswith(delimiter + b"\r\n"):
        return None
    chunks = body[len(delimiter) + 2 :].split(b"\r\n" + delimiter)
    if chunks[-1] not in (b"--", b"--\r\n") or len(chunks) < 2:
        return None
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for i, chunk in enumerate(chunks[:-1]):
        if i and not chunk.startswith(b"\r\n"):
            return None
        head, separator, data = chunk[2 if i else 0 :].partition(b"\r\n\r\n")
        if not separator:
            return None
        disposition, content_type = None, None
        for line in head.split(b"\r\n"):
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.lower() == "content-disposition" and disposition is None:
                disposition = _DISPOSITION.fullmatch(value.strip())
            elif name.lower() == "content-type" and content_type is None:
                content_type = value.strip()
            else:
                return None
        if disposition is None:
            return None
        key, filename = disposition.groups()
        if filename:
            mime = content_type or "application/octet-stream"
            uploads[key] = Upload(field=key, filename=filename, content_type=mime, data=data)
        elif content_type is None or content_type.lower() == "text/plain; charset=utf-8":
            try:
                fields[key] = data.decode("utf-8")
            except UnicodeDecodeError:
                return None
        else:
            return None
    return fields, uploads


async def _any_form(request: web.Request, body: bytes) -> tuple[dict[str, Any], dict[str, Upload]]:
    """aiohttp's own multipart parsing, as request.post() does it, over a body read."""
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    stream.feed_data(body)
    stream.feed_eof()
    reader = MultipartReader(request.headers, stream)
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ValueError("To decode nested multipart you need to use custom reader")
        if part.name is None:
            raise ValueError("Multipart field missing name.")
        content_type = part.headers.get(hdrs.CONTENT_TYPE)
        data = bytes(await part.read(decode=True))
        if part.filename:
            mime = content_type or "application/octet-stream"
            uploads[part.name] = Upload(part.name, part.filename, mime, data)
        elif content_type is None or content_type.startswith("text/"):
            fields[part.name] = data.decode(part.get_charset(default="utf-8"))
        else:
            fields[part.name] = bytearray(data)
    return fields, uploads


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Typed parameters and uploaded files of one Bot API call."""
    # The bot sends its parameters in the body: the query is parsed only when there is one.
    raw: dict[str, Any] = dict(request.query) if request.query_string else {}
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        multipart = _MULTIPART.fullmatch(request.headers.get(hdrs.CONTENT_TYPE, ""))
        if multipart is not None:  # not through request.content_type: see _plain_form
            body = await request.read()
            plain = _plain_form(body, multipart[1])
            fields, uploads = plain or await _any_form(request, body)
            raw.update(fields)
        elif request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(
                        field=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                else:
                    raw[key] = value
    return coerce_params(raw), uploads


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed values from the strings a form carries (JSON bodies pass through)."""
    return {key: _coerce(key, value) for key, value in raw.items()}
