"""`motcua bot` (and the demo, which calls the same function) serves Zalo when
ZALO_BOT_TOKEN is set: a real portal on loopback, the fake Zalo API at ZALO_API_BASE."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import BotSettings
from motcua.bot_commands import serve_channels
from motcua.demo import PortalThread
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN
from tests.fakes.zalo_api import FakeZalo
from tests.support.processes import free_port


async def test_motcua_bot_serves_zalo_with_its_token(ctx: PortalContext, tmp_path: Path) -> None:
    from portal.api.app import create_app

    portal = PortalThread(create_app(ctx=ctx)).start()
    try:
        async with FakeZalo(token="99:DEMO") as zalo:
            settings = BotSettings(
                portal_url=portal.url,
                bot_service_token=BOT_TOKEN,
                bot_database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
                zalo_bot_token="99:DEMO",
                zalo_api_base=zalo.api_base,
                zalo_http_port=free_port(),
            )
            serving = asyncio.create_task(serve_channels(settings))
            zalo.user_sends_text("d1", "xin chào")
            [greeting, *_] = await zalo.wait_for_messages("d1", 1, timeout=30)
            assert "trợ lý tự động" in greeting["text"]
            assert zalo.called("deleteWebhook")  # polling mode: no webhook left set
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
    finally:
        portal.stop()
