"""What Telegram checks in message text and keyboards, and HTML parse mode.

Only the HTML parse mode is parsed (into plain text and entities); Markdown and
MarkdownV2 texts are kept as sent, so their length is measured on the raw text.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from typing import Any

from .telegram_errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200

_HTML_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Entity offsets count UTF-16 code units, as in the Bot API."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.position = 0  # in UTF-16 units; HTMLParser owns `offset`
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            # Telegram rejects <br>; newlines are written as "\n".
            raise bad_request('can\'t parse entities: Unsupported start tag "br"')
        if tag not in _HTML_ENTITY:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        values = dict(attrs)
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise bad_request('can\'t parse entities: Tag "span" must have class "tg-spoiler"')
        self.stack.append((tag, self.position, values))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        name, start, attrs = self.stack.pop()
        length = self.position - start
        if length == 0:
            return
        entity: dict[str, Any] = {"type": _HTML_ENTITY[name], "offset": start, "length": length}
        if name == "a":
            entity["url"] = attrs.get("href") or ""
        if name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        if name == "tg-emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id") or ""
        if name == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (attrs.get("class") or "").removeprefix("language-")
            if language:
                entity = {"type": "pre", "offset": start, "length": length, "language": language}
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.position += utf16_len(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.stack:
            tag = self.stack[-1][0]
            raise bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def parse_text(
    raw: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities as Telegram stores them."""
    if parse_mode and parse_mode.lower() == "html":
        text, parsed = _parse_html(raw)
        return text, [dict(entity) for entity in parsed]
    return raw, list(entities or [])


@functools.lru_cache(maxsize=4096)
def _parse_html(raw: str) -> tuple[str, tuple[tuple[tuple[str, Any], ...], ...]]:
    """HTML parsing, once per distinct text: a bot sends the same prompts again and
    again, and HTMLParser is the dearest part of a send. The entities are kept frozen
    (fresh dicts for every caller); a text Telegram refuses raises again each time."""
    parser = _TelegramHTML()
    parser.feed(raw)
    text, entities = parser.finish()
    return text, tuple(tuple(entity.items()) for entity in entities)


def check_text(text: str, *, caption: bool = False) -> None:
    """Length limits count characters after entity parsing."""
    if caption:
        if len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in button if key != "text"]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_reply_markup(markup: Any) -> None:
    """Telegram refuses malformed keyboards and callback data over 64 bytes."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("keyboard button text must be non-empty")
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")


def button_rows(markup: dict[str, Any] | None) -> list[list[str]]:
    """Button captions row by row, for inline and reply keyboards alike."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [
        [button["text"] if isinstance(button, dict) else str(button) for button in row]
        for row in rows
    ]


def validate_callback_answer(text: str | None) -> None:
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
