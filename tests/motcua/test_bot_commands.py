from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.settings import BotSettings, get_settings
from motcua import bot_commands, demo


def test_bot_without_a_token_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(bot_commands.bot_command, [])
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
    code = await bot_commands.chat(settings, lines=iter([]))
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


def test_the_demo_portal_prints_qr_codes_that_open_its_own_public_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import httpx

    from portal.settings import get_settings as portal_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    portal_settings.cache_clear()
    try:
        portal, _token = demo.start_demo_portal()
        try:
            settings = portal.server.config.app.state.ctx.settings
            assert settings.public_base_url == portal.url  # not a fixed port 8000
            page = httpx.get(f"{portal.url}/t")
            assert page.status_code == 200 and "Tra cứu hồ sơ" in page.text
        finally:
            portal.stop()
    finally:
        portal_settings.cache_clear()
