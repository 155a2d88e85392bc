"""`motcua bot --workers N`: N Telegram webhook workers behind one URL.

The parent registers the webhook and the commands menu once, then starts N worker
processes (`python -m motcua bot` with BOT_WORKER=0..N-1) and restarts any that dies.
Every worker listens on the same WEBHOOK_HOST:WEBHOOK_PORT with SO_REUSEPORT, so the
kernel spreads Telegram's connections (or the reverse proxy's) among them and one
URL serves them all. What they share lives in PostgreSQL (BOT_DATABASE_URL: the
conversations, the update de-duplication) and Redis (REDIS_URL: one turn at a time per
chat). Zalo, when ZALO_BOT_TOKEN is set, is served by worker 0 alone (its webhook,
its image links and its news on ZALO_HTTP_PORT).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

from sqlalchemy.engine import make_url

from bot.settings import BotSettings

log = logging.getLogger(__name__)

WORKER_ENV = "BOT_WORKER"  # BotSettings.bot_worker


def refusal(settings: BotSettings, workers: int) -> str | None:
    """Why ``workers`` processes cannot serve these settings, or None when they can."""
    if workers <= 1:
        return None
    if not settings.telegram_bot_token:
        return f"--workers {workers} runs Telegram webhook workers: set TELEGRAM_BOT_TOKEN."
    if not settings.webhook_url:
        return (
            f"--workers {workers} needs webhook mode (WEBHOOK_URL): in long polling one "
            "process alone may read getUpdates. Run one process without --workers."
        )
    url = settings.bot_database_url
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if make_url(url).get_backend_name() != "postgresql":
        return (
            f"--workers {workers} needs BOT_DATABASE_URL on PostgreSQL: the workers share "
            "the conversations and SQLite serves one process."
        )
    if not settings.redis_url:
        return (
            f"--workers {workers} needs REDIS_URL: the workers share the per-chat locks "
            "that keep one turn at a time per chat."
        )
    return None


async def register_once(settings: BotSettings) -> None:
    """What every worker would otherwise repeat: migrate the bot store, set the
    commands menu and the webhook."""
    from backend_client import PortalClient
    from bot.store import Store
    from bot.telegram import TelegramChannel

    backend = PortalClient(settings.portal_url, settings.bot_service_token)
    store = Store.migrated(settings.bot_database_url)
    try:
        channel = TelegramChannel.build(settings, backend=backend, store=store, retry_every=0)
        try:
            await channel.register()
        finally:
            await channel.bot.session.close()
    finally:
        await backend.aclose()
        store.close()


async def serve_worker(serve: Callable[[], Awaitable[int]], index: int | None) -> int:
    """One worker: ``serve`` (the channels) until SIGTERM, which cancels it so the
    webhook server's cleanup lets in-flight requests finish (Python's default would cut
    them). Takes the serving function so this module needs nothing of the CLI's."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await serve()
    except asyncio.CancelledError:
        log.info("bot worker %s stopped", index)
        return 0


def worker_command() -> list[str]:
    return [sys.executable, "-m", "motcua", "bot"]


@dataclass
class Supervisor:
    """Keeps ``workers`` child processes running until SIGTERM or SIGINT, then stops
    them (SIGTERM, SIGKILL after ``stop_grace`` seconds)."""

    workers: int
    command: Sequence[str] = field(default_factory=worker_command)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    # A worker that dies young is restarted later and later (a broken setting must not
    # spin); one that ran a while is restarted at once.
    restart_delay: float = 1.0
    max_restart_delay: float = 30.0
    stop_grace: float = 15.0
    _procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    _started: dict[int, float] = field(default_factory=dict)
    _delay: dict[int, float] = field(default_factory=dict)
    _due: dict[int, float] = field(default_factory=dict)
    _stopping: bool = False

    def _start(self, index: int) -> None:
        env = {**self.env, WORKER_ENV: str(index)}
        self._procs[index] = subprocess.Popen(list(self.command), env=env)
        self._started[index] = time.monotonic()
        log.info("bot worker %s started (pid %s)", index, self._procs[index].pid)

    def pids(self) -> list[int]:
        return [p.pid for p in self._procs.values() if p.poll() is None]

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        for index in range(self.workers):
            self._start(index)
        try:
            while not self._stopping:
                self._watch()
                time.sleep(0.2)
        finally:
            self._stop_all()
        return 0

    def _watch(self) -> None:
        now = time.monotonic()
        for index, proc in list(self._procs.items()):
            code = proc.poll()
            if code is None:
                continue
            if index not in self._due:
                lived = now - self._started[index]
                delay = self._delay.get(index, 0.0)
                delay = min(self.max_restart_delay, max(self.restart_delay, delay * 2))
                if lived > self.max_restart_delay:
                    delay = self.restart_delay
                self._delay[index] = delay
                self._due[index] = now + delay
                log.warning(
                    "bot worker %s (pid %s) exited with %s; restarting in %.0f s",
                    index,
                    proc.pid,
                    code,
                    delay,
                )
            if now >= self._due[index]:
                del self._due[index]
                self._start(index)

    def _stop_all(self) -> None:
        running = [p for p in self._procs.values() if p.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        for proc in running:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
