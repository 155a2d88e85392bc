"""The Zalo Bot API client."""

from __future__ import annotations

import logging

import pytest


async def test_the_token_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    import httpx

    from bot.zalo.api import ZaloApi

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True, "result": True})

    token = "777:VERY-SECRET-TOKEN"
    api = ZaloApi(token, "https://zalo.example", transport=httpx.MockTransport(answer))
    with caplog.at_level(logging.INFO, logger="httpx"):
        await api.send_chat_action("u1")
    await api.aclose()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "sendChatAction" in logged and token not in logged
