"""The bot's commands in production refuse development or short secrets, naming them;
`motcua demo` runs in demo mode by itself and refuses an explicit production."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.settings import get_settings
from motcua import bot_commands
from motcua.cli import main

STRONG = "s" * 40


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_chat_in_production_refuses_the_development_token() -> None:
    result = CliRunner().invoke(bot_commands.chat_command, [], env={"MOTCUA_ENV": "production"})
    assert result.exit_code == 1
    assert (
        "BOT_SERVICE_TOKEN is the development default; set a random value of at least 32 bytes"
        in result.output
    )


def test_bot_in_webhook_mode_needs_a_strong_webhook_secret() -> None:
    env = {
        "MOTCUA_ENV": "production",
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "BOT_SERVICE_TOKEN": STRONG,
        "WEBHOOK_URL": "https://bot.example/hook",
        "WEBHOOK_SECRET": "abc",
    }
    result = CliRunner().invoke(bot_commands.bot_command, [], env=env)
    assert result.exit_code == 1
    assert "WEBHOOK_SECRET is shorter than 32 bytes" in result.output
    assert "BOT_SERVICE_TOKEN" not in result.output


def test_the_demo_refuses_an_explicit_production() -> None:
    result = CliRunner().invoke(main, ["demo"], env={"MOTCUA_ENV": "production"})
    assert result.exit_code == 1
    assert "MOTCUA_ENV=production" in result.output


def test_the_notifier_refuses_the_development_token() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.notify"],
        env={"MOTCUA_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "BOT_SERVICE_TOKEN is the development default" in done.stderr


def test_the_demo_needs_no_setting_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.settings import get_settings as portal_settings

    monkeypatch.chdir(tmp_path)  # var/ (databases, uploads, QR codes) under tmp_path
    portal_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["demo"], env={"MOTCUA_ENV": None}, input="/quit\n")
    finally:
        portal_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "STAFF_TOKEN=demo-clerk-token" in result.output
    assert (tmp_path / "var" / "portal.sqlite3").exists()
