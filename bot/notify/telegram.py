"""A thin Bot API client for the notifier: the one method it calls (sendMessage),
JSON over aiohttp.

The notifier used aiogram's `Bot`, whose `import aiogram.types` alone took 3.4 s of a
4 s start: a restarted notifier sent nothing for that long. This client imports only
aiohttp (when the first message goes), and raises the few errors the sender tells
apart.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import aiohttp

DEFAULT_BASE = "https://api.telegram.org"
Buttons = list[list[dict[str, str]]]


class TelegramError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Telegram {code}: {description}")
        self.code = code
        self.description = description


class RetryAfter(TelegramError):
    """429: nothing more for `retry_after` seconds (to this chat or to anyone)."""

    def __init__(self, code: int, description: str, retry_after: float) -> None:
        super().__init__(code, description)
        self.retry_after = retry_after


class Forbidden(TelegramError):
    """403: the user blocked the bot (or never started it)."""


class ServerError(TelegramError):
    """5xx: Telegram did not take the message; sending it again is safe."""


class NetworkError(TelegramError):
    """No answer (connection lost, timeout): the message may or may not have arrived."""


@runtime_checkable
class Messenger(Protocol):
    """What the sender needs of a Bot API client."""

    async def send_text(self, chat_id: int, text: str, buttons: Buttons) -> int:
        """Send `text` with inline `buttons`; returns Telegram's message id."""
        ...

    async def close(self) -> None: ...


def url_template(api_base: str | None) -> str:
    """The method URL with {token} and {method}, as aiogram's TelegramAPIServer has it."""
    return f"{(api_base or DEFAULT_BASE).rstrip('/')}/bot{{token}}/{{method}}"


class BotApi:
    """sendMessage over one pooled aiohttp session (created at the first call)."""

    def __init__(
        self,
        token: str,
        api_base: str | None = None,
        *,
        template: str | None = None,
        timeout: float = 60.0,
        connections: int = 100,
    ) -> None:
        self.token = token
        self._template = template or url_template(api_base)
        self._timeout = timeout
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def like(cls, bot: Any) -> BotApi:
        """A client for the same bot and server as an aiogram `Bot` (tests and the
        demo hand the notifier the bot they already have)."""
        return cls(bot.token, template=bot.session.api.base)

    def _url(self, method: str) -> str:
        return self._template.format(token=self.token, method=method)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        import aiohttp  # here, not at import: the notifier's start does not wait for it

        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                json_serialize=json.dumps,
            )
        try:
            async with self._session.post(self._url(method), json=params) as response:
                status = response.status
                raw = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise NetworkError(0, f"{type(exc).__name__}: {exc}") from exc
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"ok": False, "description": raw[:200].decode(errors="replace")}
        if status == 200 and body.get("ok"):
            return body.get("result")
        code = int(body.get("error_code") or status)
        description = str(body.get("description") or "")
        if code == 429:
            retry = float((body.get("parameters") or {}).get("retry_after") or 1)
            raise RetryAfter(code, description, retry)
        if code == 403:
            raise Forbidden(code, description)
        if code >= 500:
            raise ServerError(code, description)
        raise TelegramError(code, description)

    async def send_text(self, chat_id: int, text: str, buttons: Buttons) -> int:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if buttons:
            params["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": b["text"], "callback_data": b["data"]} for b in row]
                    for row in buttons
                ]
            }
        result = await self.call("sendMessage", params)
        return int(result["message_id"])

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
