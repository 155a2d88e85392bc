from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import cli
from bot.settings import BotSettings, get_settings


def test_bot_without_a_token_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli.bot_command, [])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN" in result.output and "motcua chat" in result.output


async def test_chat_without_a_portal_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = BotSettings(
        portal_url="http://127.0.0.1:9",  # nothing listens on the discard port
        bot_database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    )
    code = await cli.chat(settings, lines=iter([]))
    assert code == 1
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9" in err and "motcua demo" in err


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_URL", "http://portal:8000")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example/tg/hook")
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081")
    settings = BotSettings()
    assert settings.portal_url == "http://portal:8000"
    assert settings.webhook_path == "/tg/hook"
    assert settings.telegram_api_base == "http://127.0.0.1:8081"
    assert settings.bot_service_token == "dev-bot-token"
    assert BotSettings(webhook_url=None).webhook_path == "/webhook"
