"""A fake Telegram Bot API server on loopback, for driving the real aiogram bot in tests.

    async with FakeTelegram() as tg:
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base))
        bot = Bot("123456:TEST", session=session)
        tg.user_sends_text(42, "xin chào")
        ...
        [reply] = await tg.wait_for_messages(42, 1)

The bot side speaks HTTP exactly like api.telegram.org (`/bot<token>/<method>`,
files under `/file/bot<token>/<path>`); the test side injects updates, waits for
calls, and injects faults (`fail_next`, `block_user`, `enforce_limits`).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from kernel.jsoncopy import json_copy

from .telegram_errors import ApiError, injected
from .telegram_limits import SendLimiter
from .telegram_methods import BotApiMethods
from .telegram_params import Upload, coerce_params, read_params
from .telegram_records import (
    Call,
    InjectedUpdate,
    Stats,
    StoredMessage,
    WebhookDelivery,
)
from .telegram_text import button_rows

if TYPE_CHECKING:
    from .telegram_thread import ThreadedFakeTelegram

MAX_REQUEST_BYTES = 64 * 1024 * 1024
_FILE_KEY = {"photo": "photo_bytes", "document": "document_bytes", "voice": "voice_bytes"}


class WaitTimeout(AssertionError):
    """What the bot did not do in time; the message lists its latest calls."""


class _FailRule:
    def __init__(
        self,
        method: str,
        count: int,
        error_code: int,
        retry_after: int | None,
        description: str | None,
        after_commit: bool,
    ) -> None:
        self.method = method
        self.remaining = count
        self.error_code = error_code
        self.retry_after = retry_after
        self.description = description
        self.after_commit = after_commit

    def matches(self, method: str) -> bool:
        # "*" spares getUpdates so that failing "everything" does not stall polling.
        wanted = self.method == method or (self.method == "*" and method != "getUpdates")
        return self.remaining > 0 and wanted


class FakeTelegram(BotApiMethods):
    """The fake Bot API. Runs in the current event loop; see `run_in_thread` otherwise.

    Private chats exist on first use; groups need `create_group` or a user message.
    `token=None` accepts any bot token; a given token makes others get 401.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "motcua_test_bot",
        bot_first_name: str = "Mot Cua",
        enforce_limits: bool = False,
        limit_scale: float = 1.0,
        private_burst: int = 3,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        webhook_retry_delay: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` drives the sending limits only (tests may freeze it)."""
        limiter = (
            SendLimiter(scale=limit_scale, private_burst=private_burst, clock=clock)
            if enforce_limits
            else None
        )
        super().__init__(
            token=token, bot_username=bot_username, bot_first_name=bot_first_name, limiter=limiter
        )
        self.host = host
        self.port = port
        self.latency = latency
        self.webhook_retry_delay = webhook_retry_delay
        self.calls: list[Call] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._stats = Stats()
        self._fail_rules: list[_FailRule] = []
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        # When set (tests.fakes.telegram_webhooks.WebhookDeliverer), it delivers the
        # updates instead of the one-URL loop below.
        self.deliverer: object | None = None
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, Upload]], Any]] = {}
        for name in dir(self):
            if name.startswith("m_"):
                self._handlers[name[2:].lower()] = getattr(self, name)

    # -- lifecycle --------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self.updates_signal.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> ThreadedFakeTelegram:
        """Start a fake in a background thread with its own loop (for bots in a subprocess)."""
        from .telegram_thread import ThreadedFakeTelegram

        return ThreadedFakeTelegram(cls(**kwargs)).start()

    # -- HTTP -------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        try:
            params, uploads = await read_params(request)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.error_code)
        status, body = await self.dispatch(request.match_info["method"], params, uploads)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    async def dispatch(
        self,
        method_name: str,
        params: dict[str, Any],
        uploads: dict[str, Upload],
        *,
        via_webhook_reply: bool = False,
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call, record it, and return (HTTP status, JSON body)."""
        handler = self._handlers.get(method_name.lower())
        method = handler.__name__.removeprefix("m_") if handler else method_name
        call = Call(method, params, uploads, time.monotonic(), via_webhook_reply=via_webhook_reply)
        self.calls.append(call)
        self._stats.calls[method] += 1
        self.calls_signal.notify()
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            rule = next((r for r in self._fail_rules if r.matches(method)), None)
            if rule is not None:
                rule.remaining -= 1
                self._stats.injected_failures += 1
                if rule.after_commit:
                    await self._run(handler, params, uploads)
                raise injected(rule.error_code, rule.retry_after, rule.description)
            result = await self._run(handler, params, uploads)
        except ApiError as error:
            call.ok, call.error_code, call.description = False, error.error_code, error.description
            self._stats.errors[error.error_code] += 1
            if error.error_code == 429:
                self._stats.too_many_requests += 1
            self.calls_signal.notify()
            return error.error_code, error.payload()
        call.ok, call.result = True, result
        self.calls_signal.notify()
        return 200, {"ok": True, "result": result}

    @staticmethod
    async def _run(
        handler: Callable[[dict[str, Any], dict[str, Upload]], Any],
        params: dict[str, Any],
        uploads: dict[str, Upload],
    ) -> Any:
        result = handler(params, uploads)
        return await result if inspect.isawaitable(result) else result

    # -- long polling -----------------------------------------------------------------

    async def m_getUpdates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if params.get("allowed_updates") is not None:
            self.allowed_updates = params["allowed_updates"] or None
        self.confirm_updates(params.get("offset"))
        # A newer getUpdates ends the one still waiting, like Telegram's 409 Conflict.
        self._poll_generation += 1
        generation = self._poll_generation
        self.updates_signal.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self.take_updates(limit)
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or self._closing or self.webhook:
                return batch
            await self.updates_signal.wait(remaining)

    # -- webhooks ---------------------------------------------------------------------

    def m_setWebhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        result = super().m_setWebhook(params, uploads)
        idle = self._webhook_task is None or self._webhook_task.done()
        if self.webhook and self.deliverer is None and idle:
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhooks())
        return result

    async def _deliver_webhooks(self) -> None:
        """Post pending updates one by one, in order, retrying until the bot answers 2xx."""
        async with aiohttp.ClientSession() as session:
            while self.webhook and not self._closing:
                entry = next((e for e in self.queue if not e.delivered), None)
                if entry is None:
                    await self.updates_signal.wait(1.0)
                    continue
                if self.allowed_updates and entry.kind not in self.allowed_updates:
                    self.queue.remove(entry)
                    continue
                ok = await self._post_update(session, entry.update)
                if ok:
                    if entry in self.queue:
                        self.queue.remove(entry)
                else:
                    await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        assert self.webhook is not None
        headers = {}
        if self.webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        update_id = update["update_id"]
        try:
            async with session.post(
                self.webhook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(10)
            ) as response:
                reply = await self._webhook_reply(response)
                body = reply.pop("__body__", "")
                self.webhook_deliveries.append(
                    WebhookDelivery(update_id, response.status, body, None, time.monotonic())
                )
                if not 200 <= response.status < 300:
                    self._webhook_error(f"Wrong response from the webhook: {response.status}")
                    return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append(
                WebhookDelivery(update_id, None, "", repr(exc), time.monotonic())
            )
            self._webhook_error(f"Connection failed: {exc}")
            return False
        self.calls_signal.notify()
        if "method" in reply:
            method = reply.pop("method")
            uploads = reply.pop("__uploads__", {})
            await self.dispatch(method, coerce_params(reply), uploads, via_webhook_reply=True)
        return True

    @staticmethod
    async def _webhook_reply(response: aiohttp.ClientResponse) -> dict[str, Any]:
        """A bot may answer a webhook with a method call (JSON or multipart form)."""
        if response.content_type.startswith("multipart/"):
            fields: dict[str, Any] = {"__uploads__": {}}
            reader = aiohttp.MultipartReader(response.headers, response.content)
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    data = await part.read()
                    fields["__uploads__"][part.name] = Upload(
                        part.name, part.filename, "application/octet-stream", bytes(data)
                    )
                else:
                    fields[part.name] = await part.text()
            return fields
        text = await response.text()
        if response.content_type == "application/json" and text.strip():
            parsed = await response.json()
            if isinstance(parsed, dict):
                return {**parsed, "__body__": text}
        return {"__body__": text}

    def _webhook_error(self, message: str) -> None:
        if self.webhook is not None:
            self.webhook["last_error_date"] = int(time.time())
            self.webhook["last_error_message"] = message

    # -- fault injection ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        count: int = 1,
        error_code: int = 429,
        retry_after: int | None = None,
        *,
        description: str | None = None,
        after_commit: bool = False,
    ) -> None:
        """The next `count` calls of `method` ("*" = any but getUpdates) fail.

        429 answers "Too Many Requests: retry after N" with parameters.retry_after
        (N defaults to 1); 5xx answers "Internal Server Error"/"Bad Gateway"/...
        With after_commit=True the call takes effect (e.g. the message is sent)
        and only the answer is an error, like a reply lost on the way back."""
        self._fail_rules.append(
            _FailRule(method, count, error_code, retry_after, description, after_commit)
        )

    @property
    def stats(self) -> Stats:
        self._stats.rate_limited = self.rate_limited
        self._stats.messages_sent = self.messages_sent
        return self._stats

    # -- what the bot did ----------------------------------------------------------------

    def mark(self) -> int:
        """The current number of calls, to wait for later ones only (`since=`)."""
        return len(self.calls)

    def calls_of(self, method: str, *, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def _view(self, stored: StoredMessage) -> dict[str, Any]:
        view = json_copy(stored.message)
        view["method"] = stored.method
        view["sender"] = stored.sender
        view["reply_markup"] = json_copy(stored.reply_markup)
        view["buttons"] = button_rows(stored.reply_markup)
        view["callback_data"] = [
            button.get("callback_data")
            for row in (stored.reply_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        view["raw_text"] = stored.raw_text
        view["parse_mode"] = stored.parse_mode
        view["deleted"] = stored.deleted
        view["edits"] = stored.edits
        view["sent_at"] = stored.time
        if stored.file is not None:
            view["file_bytes"] = stored.file.data
            view["file_name"] = stored.file.file_name
            if key := _FILE_KEY.get(stored.file.kind):
                view[key] = stored.file.data
        return view

    def sent_messages(
        self,
        chat_id: int | str | None = None,
        *,
        message_thread_id: int | None = None,
        include_deleted: bool = True,
    ) -> list[dict[str, Any]]:
        """Messages the bot sent (to one chat, or all), oldest first, as they are now.

        Each is the Bot API Message plus: method, reply_markup as sent (reply
        keyboards too), buttons (captions by row), callback_data, raw_text,
        parse_mode, deleted, edits, sent_at, and file_bytes / photo_bytes /
        document_bytes / voice_bytes with file_name for media."""
        found = self._sent(chat_id, message_thread_id, include_deleted)
        return [self._view(stored) for stored in found]

    def _sent(
        self, chat_id: int | str | None, thread_id: int | None, include_deleted: bool = True
    ) -> list[StoredMessage]:
        log = self.sent_log if chat_id is None else self.chat_log.get(chat_id, [])
        return [
            stored
            for stored in log
            if stored.sender == "bot"
            and stored.method is not None
            and (include_deleted or not stored.deleted)
            and (thread_id is None or stored.message.get("message_thread_id") == thread_id)
        ]

    def last_message(self, chat_id: int | str) -> dict[str, Any]:
        messages = self.sent_messages(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to {chat_id}")
        return messages[-1]

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any]:
        """Any stored message (bot's or user's) as it is now."""
        return self._view(self.messages[(chat_id, message_id)])

    def file_bytes(self, file_id: str) -> bytes | None:
        stored = self.files.by_id.get(file_id)
        return stored.data if stored else None

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        key = self._commands_key({"scope": scope, "language_code": language_code})
        return list(self.commands.get(key, []))

    # -- waiting ----------------------------------------------------------------------

    async def _until(self, probe: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = probe()
            if found:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n".join(
                    f"  {c.method} ok={c.ok} {c.description or ''} {c.params}"
                    for c in self.calls[-10:]
                    if c.method != "getUpdates"
                )
                raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; last:\n{recent}")
            await self.calls_signal.wait(remaining)

    async def wait_for(
        self,
        what: str | Callable[[Call], bool],
        timeout: float = 5.0,
        *,
        since: int = 0,
        ok: bool | None = True,
    ) -> Call:
        """The first call from index `since` on that is `what` (a method name) or
        satisfies the predicate `what(call)`, and answered ok (`ok=True`), failed
        (`ok=False`), or in any state, still in flight included (`ok=None`)."""

        def matches(call: Call) -> bool:
            if ok is not None and call.ok != ok:
                return False
            return call.method == what if isinstance(what, str) else what(call)

        def probe() -> Call | None:
            return next((c for c in self.calls[since:] if matches(c)), None)

        result: Call = await self._until(probe, timeout, repr(what))
        return result

    async def wait_for_messages(
        self,
        chat_id: int | str,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int = 0,
        message_thread_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent `count` messages to the chat after the first
        `since` ones; returns those messages (all of them past `since`)."""

        def probe() -> list[dict[str, Any]] | None:
            # Views (deep copies) are built only once enough messages are there.
            found = self._sent(chat_id, message_thread_id)[since:]
            return [self._view(s) for s in found] if len(found) >= count else None

        result: list[dict[str, Any]] = await self._until(
            probe, timeout, f"{count} message(s) to {chat_id} after the first {since}"
        )
        return result

    def message_count(self, chat_id: int | str | None = None) -> int:
        """How many messages the bot sent to the chat (or everywhere); a `since=` baseline."""
        return len(self._sent(chat_id, None))

    async def wait_for_reply(
        self, injected_update: InjectedUpdate, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first message the bot sent to the update's chat after it was injected."""
        query = injected_update.callback_query or {}
        source = injected_update.message or query.get("message")
        chat_id = source["chat"]["id"] if source else query["from"]["id"]

        def probe() -> dict[str, Any] | None:
            after = (s for s in self._sent(chat_id, None) if s.time >= injected_update.time)
            first = next(after, None)
            return self._view(first) if first is not None else None

        result: dict[str, Any] = await self._until(
            probe, timeout, f"a reply to update {injected_update.update_id}"
        )
        return result

    async def wait_for_webhook_delivery(
        self, update_id: int, timeout: float = 5.0
    ) -> WebhookDelivery:
        def probe() -> WebhookDelivery | None:
            return next(
                (
                    d
                    for d in self.webhook_deliveries
                    if d.update_id == update_id and d.status is not None and d.status < 300
                ),
                None,
            )

        result: WebhookDelivery = await self._until(
            probe, timeout, f"webhook delivery of {update_id}"
        )
        return result
