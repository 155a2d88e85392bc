"""A fake Zalo Bot API on loopback, for driving the real Zalo channel in tests.

    async with FakeZalo() as zalo:
        api = ZaloApi("123:TEST", zalo.api_base)
        zalo.user_sends_text("u1", "xin chào")            # queued for getUpdates
        zalo.user_sends_photo("u1", jpeg_bytes)           # served at a photo URL
        [reply] = await zalo.wait_for_messages("u1", 1)   # dicts: method, text, photo...

It speaks like bot-api.zaloplatforms.com (``POST /bot<token>/<method>``, JSON, answers
``{"ok": true, "result": ...}``), enforces Zalo's text limit (1-2000 characters),
answers getUpdates with one update as an object (Zalo's documented shape) or a list
(``single_update=False``), and injects faults: ``fail_next``, ``slow_next``,
``hold_next``, ``block_user``. Photos the users send are served under
``/photos/<n>``; the photos the bot sends are URLs, fetched by ``fetch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

MAX_TEXT = 2000


@dataclass
class _Fault:
    method: str
    remaining: int
    code: int = 0
    description: str = ""
    delay: float = 0.0
    gate: asyncio.Event | None = None  # held until the test sets it
    reached: asyncio.Event | None = None  # set when a held request arrives


@dataclass
class ZaloCall:
    method: str
    params: dict[str, Any]
    ok: bool
    at: float = field(default_factory=time.monotonic)


class FakeZalo:
    def __init__(self, token: str | None = None, *, single_update: bool = True) -> None:
        self.token = token
        self.single_update = single_update
        self.calls: list[ZaloCall] = []
        self.sent: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.updates: deque[dict[str, Any]] = deque()
        self.photos: dict[str, bytes] = {}
        self.blocked: set[str] = set()
        self.webhook: dict[str, Any] | None = None
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._arrived = asyncio.Event()  # wakes a long poll waiting for updates
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> FakeZalo:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/photos/{name}", self._photo)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base

    # --- the user side ------------------------------------------------------------------

    def _message(self, chat_id: str, **content: Any) -> dict[str, Any]:
        number = next(self._ids)
        return {
            "message_id": content.pop("message_id", None) or f"m{number:06d}",
            "date": int(time.time() * 1000),
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "from": {"id": chat_id, "display_name": f"User {chat_id}", "is_bot": False},
            **content,
        }

    def _queue(self, event_name: str, message: dict[str, Any], *, queue: bool) -> dict[str, Any]:
        update = {"event_name": event_name, "message": message}
        if queue:
            self.updates.append(update)
            self._arrived.set()
        return update

    def user_sends_text(
        self, chat_id: str, text: str, *, message_id: str | None = None, queue: bool = True
    ) -> dict[str, Any]:
        message = self._message(chat_id, text=text, message_id=message_id)
        return self._queue("message.text.received", message, queue=queue)

    def user_sends_photo(
        self,
        chat_id: str,
        data: bytes,
        caption: str | None = None,
        *,
        queue: bool = True,
    ) -> dict[str, Any]:
        name = f"p{len(self.photos) + 1}.jpg"
        self.photos[name] = data
        content: dict[str, Any] = {"photo": f"{self.base}/photos/{name}"}
        if caption:
            content["caption"] = caption
        message = self._message(chat_id, **content)
        return self._queue("message.image.received", message, queue=queue)

    def user_sends_sticker(self, chat_id: str, *, queue: bool = True) -> dict[str, Any]:
        message = self._message(chat_id, sticker="s123")
        return self._queue("message.sticker.received", message, queue=queue)

    def redeliver(self, update: dict[str, Any]) -> None:
        """The same update once more (Zalo retrying a delivery)."""
        self.updates.append(update)
        self._arrived.set()

    # --- faults -------------------------------------------------------------------------

    def fail_next(
        self, method: str, count: int = 1, *, code: int = 500, description: str = "error"
    ) -> None:
        self._faults.append(_Fault(method, count, code, description))

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        self._faults.append(_Fault(method, count, delay=seconds))

    def hold_next(self, method: str) -> tuple[asyncio.Event, asyncio.Event]:
        """The next ``method`` call waits until the first event is set (a response as
        slow as the test wants); the second is set when that call has arrived."""
        gate, reached = asyncio.Event(), asyncio.Event()
        self._faults.append(_Fault(method, 1, gate=gate, reached=reached))
        return gate, reached

    def block_user(self, chat_id: str) -> None:
        self.blocked.add(chat_id)

    # --- what the bot did ---------------------------------------------------------------

    def sent_messages(self, chat_id: str) -> list[dict[str, Any]]:
        return list(self.sent[chat_id])

    def message_count(self, chat_id: str) -> int:
        return len(self.sent[chat_id])

    def called(self, method: str) -> list[ZaloCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for_messages(
        self, chat_id: str, count: int, *, since: int = 0, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.sent[chat_id]) - since >= count), timeout
            )
        return self.sent[chat_id][since:]

    async def fetch(self, url: str) -> tuple[int, bytes, str]:
        """What the Zalo servers get when they fetch a photo URL the bot sent."""
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.read(), response.content_type

    # --- the API ------------------------------------------------------------------------

    def _fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                return fault
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.token is not None and request.match_info["token"] != self.token:
            return self._error(method, {}, 401, "Unauthorized")
        try:
            params = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._error(method, {}, 400, "Bad Request: body is not JSON")
        fault = self._fault(method)
        if fault is not None and fault.gate is not None:
            assert fault.reached is not None
            fault.reached.set()
            await fault.gate.wait()
        elif fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        elif fault is not None:
            return self._error(method, params, fault.code, fault.description)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(method, params, 404, "Not Found: method")
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        await self._record(ZaloCall(method, params, True))
        return web.json_response({"ok": True, "result": result})

    def _error(
        self, method: str, params: dict[str, Any], code: int, description: str
    ) -> web.Response:
        self.calls.append(ZaloCall(method, params, False))
        return web.json_response(
            {"ok": False, "error_code": code, "description": description}, status=200
        )

    async def _record(self, call: ZaloCall) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            return self._error("getUpdates", params, 409, "Conflict: webhook is set")
        # Long polling, short for tests: a tenth of a second at most.
        if not self.updates:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait(), min(float(params.get("timeout") or 0), 0.1)
                )
        if not self.updates:
            return [] if not self.single_update else {}
        if self.single_update:
            return self.updates.popleft()
        batch = list(self.updates)
        self.updates.clear()
        return batch

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return {"id": "bot1", "account_name": "MotCua", "account_type": "BASIC"}

    def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        secret = str(params.get("secret_token") or "")
        if not str(params.get("url") or "").startswith("https://") or not 8 <= len(secret) <= 256:
            return self._error("setWebhook", params, 400, "Bad Request: url or secret_token")
        self.webhook = dict(params)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", "")}

    def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def _send(self, method: str, params: dict[str, Any], text_key: str) -> Any:
        chat_id = str(params.get("chat_id") or "")
        text = params.get(text_key)
        if chat_id in self.blocked:
            return self._error(method, params, 403, "Forbidden: the user blocked the bot")
        if method == "sendMessage" and (
            not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT
        ):
            return self._error(method, params, 400, "Bad Request: text must be 1-2000 characters")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            return self._error(method, params, 400, "Bad Request: caption too long")
        stored = {
            "method": method,
            "message_id": f"b{next(self._ids):06d}",
            "text": text if isinstance(text, str) else "",
            "photo": params.get("photo"),
        }
        self.sent[chat_id].append(stored)
        return {"message_id": stored["message_id"], "date": int(time.time() * 1000)}

    async def _sent(self, method: str, params: dict[str, Any], text_key: str) -> Any:
        result = self._send(method, params, text_key)
        if not isinstance(result, web.Response):
            async with self._changed:
                self._changed.notify_all()
        return result

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return await self._sent("sendMessage", params, "text")

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._sent("sendPhoto", params, "caption")

    async def _photo(self, request: web.Request) -> web.Response:
        data = self.photos.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")
