"""`motcua chat` (terminal) and `motcua bot` (Telegram, Zalo): the bot's parts wired to a
portal client and a store."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from backend_client import BackendError, PortalClient
from bot import eventloop
from bot.context import ContextProvider
from bot.effects import EffectRunner, portal_image_fetcher
from bot.files import LocalFiles
from bot.locks import ChatLocks
from bot.runtime import Runtime
from bot.settings import BotSettings, get_settings
from bot.store import Store
from dialogs.context import Office
from kernel.deployment import InsecureSettings, require_safe_secrets

log = logging.getLogger(__name__)


async def _portal_ready(contexts: ContextProvider, url: str) -> bool:
    try:
        await contexts.get()
    except BackendError as exc:
        click.echo(
            f"Cannot reach the portal at {url} ({exc}).\n"
            "Start it with `motcua portal` in another terminal, or run `motcua demo` "
            "to start the portal and the bot together.",
            err=True,
        )
        return False
    return True


async def chat(
    settings: BotSettings,
    *,
    user: str = "local",
    lang: str | None = None,
    lines: Any = None,
    portal: PortalClient | None = None,
    news: bool = True,
) -> int:
    """The terminal conversation against ``settings.portal_url``; returns an exit code.
    With ``news``, the application's news (the notifier) is printed in it too."""
    from bot.notify.subscriptions import Subscriptions
    from bot.terminal import Terminal
    from bot.terminal_news import TerminalNews

    backend = portal or PortalClient(settings.portal_url, settings.bot_service_token)
    store = Store.migrated(settings.bot_database_url)
    contexts = ContextProvider(
        backend, bot_link=settings.bot_link, office=Office(hours=settings.office_hours)
    )
    try:
        if not await _portal_ready(contexts, settings.portal_url):
            return 1
        runtime = Runtime(
            store=store,
            runner=EffectRunner(
                backend,
                LocalFiles(),
                handoffs=store,
                erasure=store,
                # Following a relative's application: its news reach the terminal too.
                follows=Subscriptions.over(store.engine, backend) if news else None,
            ),
            context_provider=contexts,
            locks=ChatLocks.from_url(settings.redis_url),
        )
        terminal = Terminal(
            runtime,
            key=f"terminal:{user}",
            lines=lines,
            lang_hint=lang,
            qr_dir=Path("var") / "qr",
            fetch_image=portal_image_fetcher(backend),
        )
        notifier = TerminalNews(store, backend, terminal) if news else None
        if notifier is not None:
            await notifier.start()
        try:
            await terminal.run()
        finally:
            if notifier is not None:
                await notifier.stop()
        return 0
    finally:
        await runtime_close(backend if portal is None else None, store)


async def runtime_close(backend: PortalClient | None, store: Store) -> None:
    if backend is not None:
        await backend.aclose()
    store.close()


async def serve_telegram(settings: BotSettings) -> int:
    from bot.telegram import TelegramChannel

    backend = PortalClient(settings.portal_url, settings.bot_service_token)
    store = Store.migrated(settings.bot_database_url)
    try:
        channel = TelegramChannel.build(settings, backend=backend, store=store)
        if not await _portal_ready(channel.contexts, settings.portal_url):
            return 1
        await channel.run()
        return 0
    finally:
        await runtime_close(backend, store)


async def serve_zalo(
    settings: BotSettings,
    backend: PortalClient,
    store: Store,
    handoffs: Any = None,
    locks: ChatLocks | None = None,
) -> None:
    """The Zalo channel and its notifier (news for `zalo:` chats) until cancelled."""
    from bot.zalo import ZaloChannel
    from bot.zalo.news import ZaloNews

    channel = ZaloChannel.build(
        settings, backend=backend, store=store, handoffs=handoffs, locks=locks
    )
    news = ZaloNews(store, backend, channel.sender)
    await news.start()
    log.info("Zalo bot serving (%s)", "webhook" if settings.zalo_webhook_url else "polling")
    try:
        await channel.run()
    finally:
        await news.stop()


async def serve_channels(settings: BotSettings) -> int:
    """Every channel that has a token, in this process, on one store and one portal
    client: Telegram (TELEGRAM_BOT_TOKEN) and Zalo (ZALO_BOT_TOKEN)."""
    if not settings.zalo_bot_token or settings.bot_worker not in (None, 0):
        return await serve_telegram(settings)  # Zalo: one process (bot/workers.py)
    backend = PortalClient(settings.portal_url, settings.bot_service_token)
    store = Store.migrated(settings.bot_database_url)
    try:
        tasks = []
        handoffs = None
        locks = None
        if settings.telegram_bot_token:
            from bot.telegram import TelegramChannel

            telegram = TelegramChannel.build(settings, backend=backend, store=store)
            handoffs = telegram.handoff if telegram.handoff.relays else None
            contexts = telegram.contexts
            locks = telegram.runtime.locks  # a chat's turns and the handoff's, in order
            tasks.append(telegram.run())
        else:
            contexts = ContextProvider(backend)
        if not await _portal_ready(contexts, settings.portal_url):
            return 1
        tasks.append(serve_zalo(settings, backend, store, handoffs, locks))
        await asyncio.gather(*tasks)
        return 0
    finally:
        await runtime_close(backend, store)


def checked_settings() -> BotSettings:
    """The settings from the environment; a production start with a development or short
    secret stops here with the variable named (exit code 1)."""
    settings = get_settings()
    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        raise click.ClickException(str(exc)) from exc
    return settings


@click.command("chat")
@click.option("--user", default=lambda: os.environ.get("USER", "local"), show_default="$USER")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None)
def chat_command(user: str, lang: str | None) -> None:
    """Talk to the assistant in this terminal (against the portal at PORTAL_URL)."""
    sys.exit(asyncio.run(chat(checked_settings(), user=user, lang=lang)))


@click.command("bot")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Telegram webhook worker processes on WEBHOOK_PORT (needs WEBHOOK_URL, "
    "PostgreSQL BOT_DATABASE_URL and REDIS_URL when more than 1).",
)
def bot_command(workers: int) -> None:
    """Serve every channel that has a token (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN) against
    the portal at PORTAL_URL, in this process (or in --workers processes)."""
    settings = checked_settings()
    if not settings.telegram_bot_token and not settings.zalo_bot_token:
        raise click.UsageError(
            "Set TELEGRAM_BOT_TOKEN to your bot's token (from @BotFather), and/or "
            "ZALO_BOT_TOKEN (from Zalo Bot Manager). "
            "Without one, try the same conversation in the terminal: `motcua chat`."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if workers > 1:
        from bot import workers as launcher

        if (reason := launcher.refusal(settings, workers)) is not None:
            raise click.UsageError(reason)
        asyncio.run(launcher.register_once(settings))
        sys.exit(launcher.Supervisor(workers).run())
    if settings.bot_worker is not None:  # started by the supervisor above
        from bot.workers import serve_worker

        serve = serve_worker(lambda: serve_channels(settings), settings.bot_worker)
        sys.exit(eventloop.run(serve))
    sys.exit(eventloop.run(serve_channels(settings)))
