"""A small client for the Zalo Bot API: ``POST <base>/bot<token>/<method>`` with a JSON
body, answered ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}``."""

from __future__ import annotations

import logging
from typing import Any

import httpx

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"


class ZaloApiError(Exception):
    """The API answered ``ok: false`` (or a non-JSON error page)."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description

    @property
    def blocked(self) -> bool:
        """The user blocked the bot or left: nothing more can be sent to them."""
        return self.code == 403

    @property
    def retryable(self) -> bool:
        return self.code == 429 or self.code >= 500


class ZaloNetworkError(Exception):
    """No answer (connection refused, reset, timeout): the request may or may not have
    arrived."""


class _HideToken(logging.Filter):
    """httpx logs each request's URL, and the token is in the path: it is masked."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(self.token in str(a) for a in record.args):
            record.args = tuple(
                str(a).replace(self.token, "<ZALO_BOT_TOKEN>") if self.token in str(a) else a
                for a in record.args
            )
        return True


def _hide_in_logs(token: str) -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _HideToken) and f.token == token for f in logger.filters):
        logger.addFilter(_HideToken(token))


class ZaloApi:
    def __init__(
        self,
        token: str,
        base: str = DEFAULT_BASE,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = f"{base.rstrip('/')}/bot{token}"
        _hide_in_logs(token)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, params: dict[str, Any], *, timeout: float | None = None
    ) -> Any:
        try:
            response = await self._http.post(
                f"{self._url}/{method}",
                json=params,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError as exc:  # timeouts included
            raise ZaloNetworkError(f"{method}: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            raise ZaloApiError(method, response.status_code, response.text[:200]) from None
        if not isinstance(body, dict) or not body.get("ok"):
            data = body if isinstance(body, dict) else {}
            code = int(data.get("error_code") or response.status_code or 500)
            raise ZaloApiError(method, code, str(data.get("description") or ""))
        return body.get("result")

    # --- the calls the channel makes -----------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe", {})
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """The documented sample answers one update as an object, not a list: both are
        accepted; anything else (an empty result) is no update."""
        result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10)
        if isinstance(result, dict):
            return [result] if result else []
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook", {})

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> Any:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})
