"""The notifier service: the follower and the sender as asyncio tasks, the optional
webhook wake-up endpoint, and subscriptions for relatives and helpers.

Imports are kept to what sending needs (no aiogram, no dialog engine): a restarted
notifier process must be sending again within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from datetime import datetime
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from bot.notify.db import ChatBlocks, Clock, Db, NotifierStore, notifier_engine, utcnow
from bot.notify.feed import Follower
from bot.notify.leader import Leadership
from bot.notify.limiter import Limiter, LocalLimiter, RedisLimiter
from bot.notify.models import Subscription
from bot.notify.pipeline import start_loops, stop_loops
from bot.notify.portal import DeferredPortal
from bot.notify.sender import Sender
from bot.notify.settings import NotifySettings
from bot.notify.subscriptions import Followed, Role, Subscriptions
from bot.notify.telegram import BotApi, Messenger

if TYPE_CHECKING:
    from aiohttp import web

    from bot.notify.portal import NotifierPortal
    from bot.settings import BotSettings

log = logging.getLogger(__name__)

# At most this long (seconds) the follower waits for the sender's first message.
FOLLOW_AFTER = 2.0


class Notifier:
    def __init__(
        self,
        store: NotifierStore,
        portal: NotifierPortal,
        bot: Messenger | Any,
        settings: NotifySettings | None = None,
        *,
        limiter: Limiter | None = None,
        clock: Clock = utcnow,
        idle_poll: float = 0.5,
    ) -> None:
        self.settings = settings or NotifySettings()
        self.store = store
        self.db = Db(store.engine)
        # An aiogram Bot (the demo's, the tests'): the same bot through the thin client.
        self._own_api = not isinstance(bot, Messenger)
        self.api: Messenger = bot if isinstance(bot, Messenger) else BotApi.like(bot)
        self.portal = portal
        self.outbox_wake = asyncio.Event()
        self.feed_wake = asyncio.Event()
        self.follower = Follower(
            self.db, portal, self.settings, clock=clock, on_enqueued=self.outbox_wake.set
        )
        # One Db for both: on SQLite its single lane serves the sender's marks first.
        self.sender = Sender(
            self.db,
            store,
            self.api,
            self.settings,
            limiter=limiter,
            clock=clock,
            idle_poll=idle_poll,
        )
        self.clock = clock
        # Through the notifier's own lane: on SQLite it orders them with the follower.
        self.subs = Subscriptions(self.db.run, portal, clock)
        self._tasks: list[asyncio.Task[None]] = []
        self._site: web.AppRunner | None = None
        # On PostgreSQL several notifier processes may share the store: one follows.
        self.leadership: Leadership | None = None
        if self.db.dialect == "postgresql":
            self.leadership = Leadership(
                store.engine,
                self.follower.name,
                self.settings.worker,
                retry=self.settings.leader_retry,
                check=self.settings.leader_check,
            )

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        self._tasks = start_loops(
            self.follower,
            self.sender,
            self.feed_wake,
            self.outbox_wake,
            "notify",
            follow=self._follow,
        )

    async def _follow(self) -> None:
        # The rows already due go first: a restarted process sends before it spends
        # CPU on the feed (and on importing the portal's client).
        with contextlib.suppress(TimeoutError):  # a slow Bot API holds nobody up for long
            await asyncio.wait_for(self.sender.started.wait(), FOLLOW_AFTER)
        if self.leadership is None:
            await self._lead()
        else:
            await self.leadership.run(self._lead)

    async def _lead(self) -> None:
        """The follower, and the webhook that wakes it: only the leader serves it, so
        that the portal's wake-up reaches the process that reads the feed."""
        if self.settings.webhook_port is not None:
            from aiohttp import web

            self._site = web.AppRunner(self.webhook_app(), access_log=None)
            await self._site.setup()
            site = web.TCPSite(self._site, self.settings.webhook_host, self.settings.webhook_port)
            await site.start()
        try:
            await self.follower.run(self.feed_wake)
        finally:
            if self._site is not None:
                await self._site.cleanup()
                self._site = None

    async def stop(self) -> None:
        await stop_loops(self._tasks, self.sender, self.db)
        if self._own_api:
            await self.api.close()

    def wake(self) -> None:
        """New events may be waiting: read the feed now rather than at the next poll."""
        self.feed_wake.set()

    # --- webhook ---------------------------------------------------------------------

    def webhook_app(self) -> web.Application:
        from aiohttp import web

        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.settings.webhook_path, self.handle_webhook)
        return app

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """The portal's push: verified, then only a wake-up (the feed stays the truth)."""
        from aiohttp import web

        secret = self.settings.event_webhook_secret
        if not secret:
            return web.Response(status=404)
        body = await request.read()
        expected = hmac.new(secret.encode(), body, sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
            return web.Response(status=401, text="bad signature")
        self.wake()
        return web.json_response({"ok": True})

    # --- subscriptions ---------------------------------------------------------------

    async def subscribe(
        self, key: str, tracking_code: str, *, lang: str = "vi", role: Role = "relative"
    ) -> Followed:
        """Follow an application by its tracking code (see `Subscriptions.subscribe`)."""
        return await self.subs.subscribe(key, tracking_code, lang=lang, role=role)

    async def unsubscribe(self, key: str, tracking_code: str) -> bool:
        return await self.subs.unsubscribe(key, tracking_code)

    async def subscriptions(self, key: str) -> list[Subscription]:
        return await self.subs.of(key)


def _since(start: datetime) -> float:
    return (utcnow() - start).total_seconds()


async def run_notifier(settings: BotSettings, notify: NotifySettings | None = None) -> None:
    """Run the notifier until cancelled (SIGINT/SIGTERM): `python -m bot.notify`."""
    from bot.store.migrate import upgrade

    notify = notify or NotifySettings()
    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    if not notify.migrated:
        upgrade(settings.bot_database_url)
    store = ChatBlocks(notifier_engine(settings.bot_database_url))
    api = BotApi(settings.telegram_bot_token, settings.telegram_api_base)
    limiter: Limiter = (
        RedisLimiter.from_url(
            settings.redis_url, scale=notify.limit_scale, prefix=notify.limiter_prefix
        )
        if settings.redis_url
        else LocalLimiter(scale=notify.limit_scale)
    )
    portal = DeferredPortal(settings.portal_url, settings.bot_service_token)
    notifier = Notifier(store, portal, api, notify, limiter=limiter)
    started = utcnow()
    await notifier.start()
    log.info("notifier running (worker %s)", notify.worker)
    try:
        await asyncio.Event().wait()
    finally:
        await notifier.stop()
        await portal.aclose()
        await api.close()
        store.close()
        log.info("notifier stopped after %.0f s: %s", _since(started), notifier.sender.metrics)
