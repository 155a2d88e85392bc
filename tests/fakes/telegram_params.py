"""Decoding Bot API request parameters the way the real server accepts them.

aiogram posts `application/x-www-form-urlencoded` (or `multipart/form-data` when
a file is attached) where strings go as-is and every other value is JSON-encoded
(`"123"`, `"true"`, `'{"inline_keyboard": ...}'`). Other clients may send a JSON
body or a query string; all three are accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

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


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Typed parameters and uploaded files of one Bot API call."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
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
