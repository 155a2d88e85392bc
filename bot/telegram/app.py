"""Assembles the Telegram channel: Bot (optionally through a self-hosted Bot API
server), Dispatcher with our middleware and router, polling or webhook."""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiohttp import web

import dialogs
from backend_client import Backend
from bot.context import ContextProvider
from bot.effects import EffectRunner, portal_image_fetcher
from bot.files import TelegramFiles
from bot.handoff import HandoffService
from bot.handoff.router import handoff_router
from bot.locks import ChatLocks
from bot.notify.subscriptions import Subscriptions
from bot.runtime import Handle, Runtime
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram.generics import PinnedAiohttpSession
from bot.telegram.handlers import TelegramHandlers
from bot.telegram.middleware import ChatTurnMiddleware
from bot.telegram.sender import ReplySender
from dialogs import Reply
from dialogs.context import Office
from kernel import heap
from kernel.i18n import LANGUAGES, N_, gettext_

log = logging.getLogger(__name__)

_ANSWERED = b"{}"  # what aiohttp's json_response({}) would send, not dumped every time

COMMANDS = (
    ("start", N_("Main menu")),
    ("help", N_("How to use this assistant")),
    ("status", N_("Check an application")),
    ("human", N_("Talk to a person")),
    ("language", N_("Tiếng Việt / English")),
)


def create_bot(token: str, api_base: str | None = None) -> Bot:
    """Messages are sent as plain text (no parse mode): nothing the engine or a user
    writes can break the formatting. The session keeps aiogram's response classes
    alive (see bot/telegram/generics.py)."""
    if api_base:
        session = PinnedAiohttpSession(api=TelegramAPIServer.from_base(api_base))
    else:
        session = PinnedAiohttpSession()
    return Bot(token, session=session)


async def set_commands(bot: Bot) -> None:
    """The commands menu, in Vietnamese by default and in English for English apps."""
    for lang in LANGUAGES:
        commands = [BotCommand(command=c, description=gettext_(d, lang)) for c, d in COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)
    vi = [BotCommand(command=c, description=gettext_(d, "vi")) for c, d in COMMANDS]
    await bot.set_my_commands(vi, scope=BotCommandScopeDefault())


@dataclass
class TelegramChannel:
    bot: Bot
    dispatcher: Dispatcher
    runtime: Runtime
    handlers: TelegramHandlers
    contexts: ContextProvider
    settings: BotSettings
    handoff: HandoffService
    # Seconds between rounds of the background retry of portal writes kept while the
    # portal was down (bot.runtime.Runtime.retry_kept); 0 turns it off.
    retry_every: float = 15.0
    _retry_task: asyncio.Task[None] | None = None

    @classmethod
    def build(
        cls,
        settings: BotSettings,
        *,
        backend: Backend,
        store: Store,
        bot: Bot | None = None,
        locks: ChatLocks | None = None,
        contexts: ContextProvider | None = None,
        album_delay: float = 1.0,
        engine_handle: Handle = dialogs.handle,
        retry_every: float = 15.0,
    ) -> TelegramChannel:
        if bot is None:
            if not settings.telegram_bot_token:
                raise ValueError("TELEGRAM_BOT_TOKEN is not set")
            bot = create_bot(settings.telegram_bot_token, settings.telegram_api_base)
        contexts = contexts or ContextProvider(
            backend, bot_link=settings.bot_link, office=Office(hours=settings.office_hours)
        )
        handoff = HandoffService(
            bot=bot, settings=settings, store=store, backend=backend, contexts=contexts
        )
        follows = Subscriptions.over(store.engine, backend)
        runner = EffectRunner(
            backend, TelegramFiles(bot), handoffs=handoff, follows=follows, erasure=store
        )
        runtime = Runtime(
            store=store,
            runner=runner,
            context_provider=contexts,
            locks=locks or ChatLocks.from_url(settings.redis_url),
            engine_handle=engine_handle,
        )
        sender = ReplySender(bot, store, fetch_image=portal_image_fetcher(backend))
        handlers = TelegramHandlers(
            runtime, sender, album_delay=album_delay, typing_after=settings.typing_after
        )
        handoff.bind(runtime, sender)
        dispatcher = Dispatcher(disable_fsm=True)  # the conversation state is ours
        dispatcher.update.outer_middleware(ChatTurnMiddleware(runtime.locks, store, runtime))
        dispatcher.include_router(handoff_router(handoff))  # first: open cases, staff group
        dispatcher.include_router(handlers.router())
        channel = cls(bot, dispatcher, runtime, handlers, contexts, settings, handoff, retry_every)
        dispatcher.startup.register(channel.on_startup)
        dispatcher.shutdown.register(channel.on_shutdown)
        return channel

    async def on_startup(self) -> None:
        if not self.contexts.bot_link:
            me = await self.bot.get_me()
            self.contexts.bot_link = f"https://t.me/{me.username}"
        if self.settings.bot_worker is None:  # a worker's parent did it (bot/workers.py)
            await self.register()
        log.info("Telegram bot ready: %s", self.contexts.bot_link)
        if self.retry_every > 0 and self._retry_task is None:
            self._retry_task = asyncio.create_task(self._retry_kept_forever())

    async def register(self) -> None:
        """The one-time Bot API setup: the commands menu and, in webhook mode, the
        webhook with the update types our handlers use."""
        try:
            await set_commands(self.bot)
        except Exception as exc:  # the menu is a nicety; the bot works without it
            log.warning("could not set the commands menu: %s", exc)
        if self.settings.webhook_url:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )

    async def retry_kept_once(self) -> int:
        """One round of delivering the portal writes kept during an outage; the replies
        (e.g. a submitted application's code) are sent to their chats. Returns how many
        chats still wait for the portal."""

        async def send(key: str, replies: list[Reply]) -> None:
            chat_id = int(key.rpartition(":")[2])
            await self.handlers.sender.send(chat_id, key, replies)

        return await self.runtime.retry_kept(send)

    async def _retry_kept_forever(self) -> None:
        while True:
            await asyncio.sleep(self.retry_every)
            try:
                await self.retry_kept_once()
            except Exception:  # the next round tries again
                log.exception("retrying the kept portal writes failed")

    async def on_shutdown(self) -> None:
        if self._retry_task is not None:
            self._retry_task.cancel()
            self._retry_task = None
        await self.handlers.albums.drain()
        await self.handoff.drain()

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        heap.settle()
        await self.dispatcher.start_polling(
            self.bot,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
            handle_signals=handle_signals,
        )

    def webhook_app(self) -> web.Application:
        from aiogram.webhook.aiohttp_server import setup_application

        app = web.Application()
        app.router.add_post(self.settings.webhook_path, self.on_webhook)
        setup_application(app, self.dispatcher, bot=self.bot)
        app.on_startup.append(_settle_heap)
        return app

    async def on_webhook(self, request: web.Request) -> web.Response:
        """One delivery, answered 200 only when the update has been handled and its
        turn committed (not aiogram's default of answering first): an error, or a
        worker killed meanwhile, leaves it unanswered and Telegram delivers it again.
        Telegram waits for one chat's answer before sending that chat's next update."""
        from aiogram.types import Update

        secret = self.settings.webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401)
        try:
            # Parsed by pydantic from the bytes: no json.loads and dict walk first.
            body = await request.read()
            update = Update.model_validate_json(body, context={"bot": self.bot})
        except ValueError:  # not JSON, or not an update: delivering it again cannot help
            log.warning("webhook: a body that is no update")
            return web.Response(status=400)
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            log.exception("update %s failed; left for Telegram to deliver again", update.update_id)
            return web.Response(status=500)
        return web.Response(body=_ANSWERED, content_type="application/json")

    async def run_webhook(self) -> None:
        runner = web.AppRunner(self.webhook_app())
        await runner.setup()
        # Several workers (bot/workers.py) listen on one port; the kernel spreads the
        # connections among them.
        shared = self.settings.bot_worker is not None
        site = web.TCPSite(
            runner, self.settings.webhook_host, self.settings.webhook_port, reuse_port=shared
        )
        await site.start()
        log.info(
            "webhook listening on %s:%s", self.settings.webhook_host, self.settings.webhook_port
        )
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            await runner.cleanup()

    async def run(self) -> None:
        if self.settings.webhook_url:
            await self.run_webhook()
        else:
            await self.run_polling()


async def _settle_heap(_: web.Application) -> None:
    heap.settle()  # the webhook worker is built: what it holds now, it holds for good
