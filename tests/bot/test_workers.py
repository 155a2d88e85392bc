"""`motcua bot --workers N`: what it refuses, the supervisor, and two real webhook
workers on one port against the fake Bot API (PostgreSQL bot store, Redis locks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bot.settings import BotSettings, get_settings
from bot.workers import Supervisor, refusal
from motcua.cli import main
from motcua.portal_commands import prepare_database
from portal.api.app import create_app
from portal.settings import PortalSettings
from tests.bot.conftest import BotPostgres
from tests.fakes import FakeTelegram
from tests.support.processes import (
    ESTABLISHED,
    LISTEN,
    alive,
    children,
    free_port,
    redis_reachable,
    tcp_sockets,
    wait_until,
)
from tests.support.server import serve

REDIS_URL = "redis://127.0.0.1:6379/0"
PG_URL = "postgresql://postgres@127.0.0.1:5432/bot"
TOKEN = "123456:TEST"
SECRET = "workers-webhook-secret"
BOT_TOKEN = "workers-bot-token"
ROOT = Path(__file__).resolve().parents[2]


def _settings(**changes: Any) -> BotSettings:
    base: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "webhook_url": "https://bot.example/webhook",
        "webhook_secret": SECRET,
        "bot_database_url": PG_URL,
        "redis_url": REDIS_URL,
    }
    return BotSettings(**{**base, **changes})


def test_what_more_than_one_worker_needs() -> None:
    assert refusal(_settings(), 2) is None
    assert refusal(_settings(bot_database_url="postgres://u@h/bot"), 2) is None
    assert refusal(_settings(webhook_url=None, bot_database_url="sqlite:///b"), 1) is None
    reason = refusal(_settings(webhook_url=None), 2)
    assert reason is not None and "WEBHOOK_URL" in reason and "getUpdates" in reason
    reason = refusal(_settings(bot_database_url="sqlite:///var/bot.sqlite3"), 2)
    assert reason is not None and "BOT_DATABASE_URL on PostgreSQL" in reason
    reason = refusal(_settings(redis_url=None), 2)
    assert reason is not None and "REDIS_URL" in reason
    reason = refusal(_settings(telegram_bot_token=None, zalo_bot_token="z"), 2)
    assert reason is not None and "TELEGRAM_BOT_TOKEN" in reason


def test_polling_with_workers_is_refused_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["bot", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs webhook mode (WEBHOOK_URL)" in result.output


def test_the_supervisor_restarts_a_dead_worker_and_stops_them_all() -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    sup = Supervisor(2, command=sleeper, restart_delay=0.05, stop_grace=5)
    for index in range(2):
        sup._start(index)
    first = sup.pids()
    assert len(first) == 2
    os.kill(first[0], signal.SIGKILL)

    def restarted() -> bool:
        sup._watch()
        return len(sup.pids()) == 2 and first[0] not in sup.pids()

    wait_until("a restart", restarted)
    assert first[1] in sup.pids()
    workers = sup.pids()
    # Each worker knows its index (BotSettings.bot_worker), the new one too.
    found = []
    for pid in workers:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        found += [v for v in environ if v.startswith(b"BOT_WORKER=")]
    assert sorted(found) == [b"BOT_WORKER=0", b"BOT_WORKER=1"]
    sup._stop_all()
    assert not any(alive(pid) for pid in workers)


# --- two real workers ------------------------------------------------------------------


def _listening(parent: int, port: int) -> list[int]:
    return [pid for pid in children(parent) if tcp_sockets(port, pid, LISTEN)]


def _update(update_id: int, chat: int) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Lan"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
def portal_url(tmp_path: Path) -> Iterator[str]:
    settings = PortalSettings(
        database_url=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        upload_dir=tmp_path / "uploads",
        bot_service_token=BOT_TOKEN,
    )
    prepare_database(settings)
    with serve(create_app(settings)) as url:
        yield url


def test_two_webhook_workers_answer_on_one_port(
    _bot_postgres: BotPostgres | None, portal_url: str, tmp_path: Path
) -> None:
    if _bot_postgres is None:
        pytest.skip("no PostgreSQL server reachable")
    if not redis_reachable():
        pytest.skip("no Redis server reachable at 127.0.0.1:6379")
    _bot_postgres.truncate()
    port = free_port()
    with FakeTelegram.run_in_thread() as tg:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": tg.api_base,
            "PORTAL_URL": portal_url,
            "BOT_SERVICE_TOKEN": BOT_TOKEN,
            "BOT_DATABASE_URL": _bot_postgres.url,
            "REDIS_URL": REDIS_URL,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        env.pop("ZALO_BOT_TOKEN", None)
        env.pop("BOT_WORKER", None)
        log_path = tmp_path / "bot.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "motcua", "bot", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:

            def two_listening() -> bool:
                assert proc.poll() is None, log_path.read_text()
                return len(_listening(proc.pid, port)) == 2

            wait_until("two workers on the port", two_listening)
            workers = _listening(proc.pid, port)
            # The parent registered the webhook once; the workers did not.
            assert len(tg.calls_of("setWebhook")) == 1

            # Updates on many connections held open at once: each worker takes some,
            # every chat is answered.
            clients = [httpx.Client(timeout=60) for _ in range(16)]
            try:
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                for n, client in enumerate(clients):
                    answer = client.post(
                        f"http://127.0.0.1:{port}/webhook",
                        json=_update(10_000 + n, 500 + n),
                        headers=headers,
                    )
                    assert answer.status_code == 200, answer.text
                held = {pid: tcp_sockets(port, pid, ESTABLISHED) for pid in workers}
                assert all(held.values()), held
            finally:
                for client in clients:
                    client.close()
            for n in range(16):
                assert tg.wait_for_messages(500 + n, 1, timeout=120)

            # A worker dies: the supervisor starts another, the port keeps answering.
            os.kill(workers[0], signal.SIGKILL)
            wait_until(
                "a replacement worker",
                lambda: (
                    len(_listening(proc.pid, port)) == 2
                    and workers[0] not in _listening(proc.pid, port)
                    # ... and it has finished starting (its own log line), not merely forked
                    and log_path.read_text().count("webhook listening") >= 3
                ),
            )
            answer = httpx.post(
                f"http://127.0.0.1:{port}/webhook",
                json=_update(20_000, 600),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=60,
            )
            assert answer.status_code == 200
            assert tg.wait_for_messages(600, 1, timeout=120)
            assert len(tg.calls_of("setWebhook")) == 1
            workers = _listening(proc.pid, port)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                assert proc.wait(timeout=60) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()
        assert not any(alive(pid) for pid in workers)  # stopped with their parent
        # ... on SIGTERM, by finishing their work rather than being cut (bot.workers).
        text = log_path.read_text()
        assert "bot worker 0 stopped" in text and "bot worker 1 stopped" in text, text
