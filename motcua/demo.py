"""`motcua demo`: the portal (SQLite, seeded) and the assistant in one process."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import threading
import time
from typing import Any

import click

from bot.settings import get_settings
from kernel.deployment import InsecureSettings, enter_demo_mode
from motcua.bot_commands import chat, serve_channels
from motcua.portal_commands import prepare_database, seed_demo_staff


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class PortalThread:
    """The portal app served by uvicorn in a background thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host = host
        self.port = port or _free_port(host)
        # proxy_headers=False: the portal reads X-Forwarded-For itself, from trusted
        # proxies only (TRUSTED_PROXIES); uvicorn's default believes any local peer.
        from portal.workers import KEEP_ALIVE

        config = uvicorn.Config(
            app,
            host=host,
            port=self.port,
            log_level="warning",
            proxy_headers=False,
            timeout_keep_alive=KEEP_ALIVE,  # see portal.workers.KEEP_ALIVE
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="portal", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> PortalThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the portal did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_demo_portal() -> tuple[PortalThread, str]:
    """Migrate and seed the portal's database (SQLite under var/ by default), serve it;
    returns the thread and the bot's service token."""
    from portal.api.app import create_app
    from portal.settings import get_settings as portal_settings

    settings = portal_settings()
    prepare_database(settings)
    staff = seed_demo_staff(settings)
    port = _free_port("127.0.0.1")
    if not os.environ.get("PUBLIC_BASE_URL"):
        # The tracking QR on receipts must open this demo's own status page.
        settings = settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{port}"})
    portal = PortalThread(create_app(settings), port=port).start()
    click.echo(f"Mot Cua portal running at {portal.url}  (API docs: {portal.url}/docs)")
    click.echo(f"  public status page: {settings.public_base_url}/t/<tracking code>")
    for username, token in staff.items():
        click.echo(f"  staff {username}: STAFF_TOKEN={token} PORTAL_URL={portal.url}")
    return portal, settings.bot_service_token


def run_demo() -> None:
    """`motcua demo`: the portal and the bot together. Telegram when TELEGRAM_BOT_TOKEN
    is set (through TELEGRAM_API_BASE if set), Zalo when ZALO_BOT_TOKEN is set (through
    ZALO_API_BASE), otherwise the terminal chat. Runs in demo
    mode (MOTCUA_ENV=demo) with no setting at all; refuses MOTCUA_ENV=production."""
    from portal.settings import get_settings as portal_settings

    try:
        enter_demo_mode()
    except InsecureSettings as exc:
        raise click.ClickException(str(exc)) from exc
    portal_settings.cache_clear()
    get_settings.cache_clear()
    portal, token = start_demo_portal()
    settings = get_settings().model_copy(
        update={"portal_url": portal.url, "bot_service_token": token}
    )
    try:
        if settings.telegram_bot_token or settings.zalo_bot_token:
            click.echo(
                "Serving the bot in "
                + " and ".join(
                    name
                    for name, token in (
                        ("Telegram", settings.telegram_bot_token),
                        (f"Zalo ({settings.zalo_api_base})", settings.zalo_bot_token),
                    )
                    if token
                )
                + "; open it there and say hello."
            )
            logging.basicConfig(level=logging.INFO)
            code = asyncio.run(serve_channels(settings))
        else:
            click.echo(
                "No TELEGRAM_BOT_TOKEN: here is the same assistant in this terminal. The "
                "application's news appear here; a clerk sees who asked for a person with "
                "`motcua staff help` (same BOT_DATABASE_URL).\n"
            )
            code = asyncio.run(chat(settings, user=os.environ.get("USER", "demo")))
    except KeyboardInterrupt:
        code = 0
    finally:
        portal.stop()
    sys.exit(code)


@click.command("demo")
def demo_command() -> None:
    """Start the demo: the portal (SQLite, seeded) and the assistant together — in
    Telegram when TELEGRAM_BOT_TOKEN is set, otherwise in this terminal."""
    run_demo()
