"""Assembles the Zalo channel: the API client, the runtime (shared store, locks,
effects), the sender, and the bot's HTTP server — the webhook (secret header checked
in constant time) and the signed image links — plus long polling for development."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

import dialogs
from backend_client import Backend
from bot.context import ContextProvider
from bot.effects import EffectRunner, Handoffs, portal_image_fetcher
from bot.handoff import HandoffService
from bot.handoff.models import HandoffCase
from bot.locks import ChatLocks
from bot.notify.subscriptions import Subscriptions
from bot.render import qr_png
from bot.runtime import Handle, Runtime
from bot.settings import BotSettings
from bot.store import Store
from bot.zalo.api import ZaloApi, ZaloApiError, ZaloNetworkError
from bot.zalo.convert import CHANNEL, Incoming, chat_key, incoming, update_number
from bot.zalo.files import ZaloFiles
from bot.zalo.limits import SendLimits
from bot.zalo.links import PREFIX, BadLink, MediaLinks
from bot.zalo.queues import ChatQueues
from bot.zalo.render import Outgoing, messages_of
from bot.zalo.sender import ZaloSender
from bot.zalo.state import LanguageOf
from dialogs import Button, Event, Reply, Text
from dialogs.context import Office
from kernel.i18n import N_, gettext_

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
MAX_WEBHOOK_BODY = 256 * 1024

NOT_RELAYED = N_("(a photo or sticker from Zalo: not relayed, ask for it in words)")
TurnDone = Callable[[str, Incoming], Awaitable[None] | None]


@dataclass
class ZaloChannel:
    settings: BotSettings
    api: ZaloApi
    runtime: Runtime
    sender: ZaloSender
    files: ZaloFiles
    links: MediaLinks
    backend: Backend
    store: Store
    langs: LanguageOf
    handoff: HandoffService | None = None  # the Telegram support group, when there is one
    on_turn: TurnDone | None = None  # called after each update is handled (tests)
    queues: ChatQueues[Incoming] = field(init=False)
    _runner: web.AppRunner | None = None

    def __post_init__(self) -> None:
        self.queues = ChatQueues(self._handle)
        self._fetch_portal_image = portal_image_fetcher(self.backend)

    @classmethod
    def build(
        cls,
        settings: BotSettings,
        *,
        backend: Backend,
        store: Store,
        api: ZaloApi | None = None,
        locks: ChatLocks | None = None,
        contexts: ContextProvider | None = None,
        handoffs: Handoffs | None = None,
        engine_handle: Handle = dialogs.handle,
        files: ZaloFiles | None = None,
        links: MediaLinks | None = None,
    ) -> ZaloChannel:
        if api is None:
            if not settings.zalo_bot_token:
                raise ValueError("ZALO_BOT_TOKEN is not set")
            api = ZaloApi(settings.zalo_bot_token, settings.zalo_api_base)
        contexts = contexts or ContextProvider(
            backend,
            bot_link=settings.zalo_bot_link,
            office=Office(hours=settings.office_hours),
        )
        files = files or ZaloFiles()
        runner = EffectRunner(
            backend,
            files,
            # Without a Telegram support group in this process, a request for a person
            # is recorded for `motcua staff help` (and answered through the outbox).
            handoffs=handoffs or store,
            follows=Subscriptions.over(store.engine, backend),
            erasure=store,
        )
        langs = LanguageOf(store)
        runtime = Runtime(
            store=langs,
            runner=runner,
            context_provider=contexts,
            locks=locks or ChatLocks.from_url(settings.redis_url),
            engine_handle=engine_handle,
        )
        links = links or MediaLinks(
            settings.public_base_url, settings.zalo_media_secret, settings.zalo_media_ttl
        )
        limits = SendLimits(settings.zalo_rate_per_second, settings.zalo_chat_rate)
        sender = ZaloSender(api, store, links, limits)
        channel = cls(settings, api, runtime, sender, files, links, backend, store, langs)
        if isinstance(handoffs, HandoffService) and handoffs.relays:
            channel.handoff = handoffs
            handoffs.add_channel(CHANNEL, channel)
        return channel

    # --- updates -------------------------------------------------------------------------

    def accept(self, update: dict[str, Any]) -> bool:
        """Queue one update for its chat (arrival order); False when it is not a message
        the assistant answers."""
        message = incoming(update)
        if message is None:
            return False
        self.queues.put(message.chat_id, message)
        return True

    async def _handle(self, chat_id: str, message: Incoming) -> None:
        key = chat_key(chat_id)
        try:
            # Zalo has no update id: a message delivered twice (a webhook retried, a
            # restart during polling) is recognised by its message_id, across restarts.
            # It is marked processed by the turn's own commit, never before the turn: a
            # worker that dies mid-turn leaves it to be handled when Zalo delivers it again.
            await self._turn(key, message, (CHANNEL, update_number(message.message_id)))
        finally:
            if self.on_turn is not None:
                done = self.on_turn(key, message)
                if done is not None:
                    await done

    async def send(self, key: str, replies: list[Reply]) -> bool:
        """Replies from outside a turn (the support team's, through the handoff)."""
        return await self.sender.send(key, replies, self.langs.lang(key))

    async def _turn(self, key: str, message: Incoming, update: tuple[str, int]) -> None:
        picked = self._numbered(key, message.event)
        case = None
        if self.handoff is not None:
            case = await self.handoff.open_case_for_key(key, message.name)
        if case is not None or picked is None:
            # Outside the engine (a message for the support team, "9" for the next page
            # of a long list): handled, then marked, so that a repeat after a crash is
            # handled again rather than lost.
            if (await self.store.load_turn(key, update)).processed:
                log.info("Zalo message %s already processed", message.message_id)
                return
            if case is not None:
                await self._relay(case, message, picked)
            else:
                menu = self.sender.menus[key]
                menu.next_page()
                lang = self.langs.lang(key)
                await self.sender.send_messages(key, _page(menu.text(lang)))
            await self.store.mark_updates([update])
            return
        started = asyncio.Event()
        typing = asyncio.create_task(self._typing_later(key, started))
        try:
            replies = await self.runtime.process(key, picked, update=update)
        finally:
            if not started.is_set():
                typing.cancel()
            # Once on its way it is awaited: "typing..." never lands after the reply.
            await asyncio.gather(typing, return_exceptions=True)
        await self.sender.send(key, replies, self.langs.lang(key))

    async def _typing_later(self, key: str, started: asyncio.Event) -> None:
        """ "typing..." only for a turn slower than TYPING_AFTER (a photo being checked,
        a submit), sent outside the message limits so that it never delays the reply."""
        await asyncio.sleep(self.settings.typing_after)
        started.set()
        await self.sender.typing(key)

    async def _relay(self, case: HandoffCase, message: Incoming, event: Event | None) -> None:
        """While the citizen's help case is open, what they write goes to its topic."""
        assert self.handoff is not None
        if isinstance(event, Button) and event.data == "hoff:end":
            await self.handoff.end_by_citizen(case, locked=False)
        elif isinstance(message.event, Text):
            await self.handoff.relay_text_from_citizen(case, message.event.text)
        else:
            await self.handoff.relay_text_from_citizen(case, gettext_(NOT_RELAYED, "vi"))

    def _numbered(self, key: str, event: Event) -> Event | None:
        """A bare number picks the choice it stands for in the list the chat was shown."""
        if not isinstance(event, Text):
            return event
        typed = event.text.strip().rstrip(".)")
        menu = self.sender.menus.get(key)
        if menu is None or not typed.isdigit():
            return event
        number = int(typed)
        if menu.wants_more(number):
            return None
        choice = menu.pick(number)
        return Button(choice.data) if choice is not None else event

    # --- HTTP: webhook and images --------------------------------------------------------

    @property
    def webhook_path(self) -> str:
        if self.settings.zalo_webhook_url:
            return urlsplit(self.settings.zalo_webhook_url).path or WEBHOOK_PATH
        return WEBHOOK_PATH

    def http_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(self.webhook_path, self.on_webhook)
        app.router.add_get(PREFIX + "{payload}", self.on_media)
        return app

    async def on_webhook(self, request: web.Request) -> web.Response:
        secret = self.settings.zalo_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False, "description": "bad json"}, status=400)
        for update in body if isinstance(body, list) else [body]:
            if isinstance(update, dict):
                self.accept(update)
        return web.json_response({"ok": True})

    async def on_media(self, request: web.Request) -> web.Response:
        try:
            target = self.links.verify(
                request.path, request.query.get("exp"), request.query.get("sig")
            )
        except BadLink as exc:
            log.info("refused image link: %s", exc)
            return web.Response(status=403, text="forbidden")
        try:
            if target.kind == "qr":
                data = await asyncio.to_thread(qr_png, target.data)
            else:
                data = await self._fetch_portal_image(target.key, target.data)
        except Exception as exc:
            log.warning("image for %s not made: %s", target.key, exc)
            return web.Response(status=404, text="not found")
        return web.Response(
            body=data,
            content_type="image/png",
            headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    async def start_http(self) -> None:
        self._runner = web.AppRunner(self.http_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.zalo_http_host, self.settings.zalo_http_port)
        await site.start()
        log.info(
            "Zalo HTTP on %s:%s (webhook %s, images %s)",
            self.settings.zalo_http_host,
            self.settings.zalo_http_port,
            self.webhook_path,
            PREFIX,
        )

    # --- running -------------------------------------------------------------------------

    async def poll_once(self, timeout: int = 30) -> int:
        updates = await self.api.get_updates(timeout)
        return sum(self.accept(u) for u in updates)

    async def run_polling(self, timeout: int = 30) -> None:
        delay = 1.0
        while True:
            try:
                await self.poll_once(timeout)
                delay = 1.0
            except (ZaloApiError, ZaloNetworkError) as exc:
                log.warning("Zalo getUpdates: %s; again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def run(self) -> None:
        """Serve until cancelled: webhook mode when ZALO_WEBHOOK_URL is set, else long
        polling; the HTTP server (images, webhook) runs in both."""
        await self.start_http()
        try:
            if self.settings.zalo_webhook_url:
                await self.api.set_webhook(
                    self.settings.zalo_webhook_url, self.settings.zalo_webhook_secret or ""
                )
                await asyncio.Event().wait()
            else:
                try:
                    await self.api.delete_webhook()  # getUpdates fails while one is set
                except (ZaloApiError, ZaloNetworkError) as exc:
                    log.info("Zalo deleteWebhook: %s", exc)
                await self.run_polling()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        await self.queues.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.files.aclose()
        await self.api.aclose()


def _page(text: str) -> list[Outgoing]:
    return messages_of(text, None)
