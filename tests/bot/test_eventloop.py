"""`motcua bot` serves on uvloop's event loop."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from bot import eventloop
from bot.settings import BotSettings
from motcua import bot_commands


async def _loop_kind() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_the_bot_loop_is_uvloop() -> None:
    assert eventloop.run(_loop_kind()).startswith("uvloop")


def test_motcua_bot_serves_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    async def serve(settings: BotSettings) -> int:
        seen.append(await _loop_kind())
        return 0

    settings = BotSettings(telegram_bot_token="123456:TEST")
    monkeypatch.setattr(bot_commands, "checked_settings", lambda: settings)
    monkeypatch.setattr(bot_commands, "serve_channels", serve)
    result = CliRunner().invoke(bot_commands.bot_command, [])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and seen[0].startswith("uvloop")
