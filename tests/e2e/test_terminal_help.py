"""Asking for a person in the terminal demo lands where a clerk sees it: `motcua staff
help` lists the request with its context, answers it into the citizen's terminal, and
closes it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator

import pytest
from click.testing import CliRunner, Result

from backend_client import PortalClient
from bot.context import ContextProvider
from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.notify import NotifySettings
from bot.runtime import Runtime
from bot.settings import get_settings
from bot.store import Store
from bot.terminal import Terminal
from bot.terminal_news import TerminalNews
from motcua.cli import main

KEY = "terminal:bac"


@pytest.fixture
def bot_env(bot_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BOT_DATABASE_URL", bot_db)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def staff(*args: str) -> Result:
    # In a thread: the command runs its own event loop, as it does in a shell.
    result = await asyncio.to_thread(CliRunner().invoke, main, ["staff", "help", *args])
    assert result.exit_code == 0, result.output
    return result


async def test_a_request_for_a_person_is_seen_answered_and_closed_by_a_clerk(
    portal: PortalClient, bot_store: Store, bot_env: None
) -> None:
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal),
    )
    out = io.StringIO()
    listed: list[str] = []

    async def lines() -> AsyncIterator[str]:
        yield "1"  # Tiếng Việt
        before = len(out.getvalue())
        yield "cho tôi gặp cán bộ"
        told = out.getvalue()[before:]
        assert "giờ làm việc" in told and "Thứ Hai–Thứ Sáu" in told
        assert "Bạn muốn làm gì" not in told and "Bác muốn làm gì" not in told  # no menu
        listed.append((await staff()).output)
        await staff("answer", "1", "Chào Bác, cháu gọi lại cho Bác ngay nhé.", "--name", "Lan")
        await news.follower.catch_up()
        await news.sender.drain()
        yield "/quit"

    terminal = Terminal(runtime, key=KEY, lines=lines(), out=out)
    news = TerminalNews(bot_store, portal, terminal, NotifySettings(worker="t"))
    await terminal.run()
    await news.stop()

    [listing] = listed
    assert "#1" in listing and KEY in listing and "(words)" in listing
    assert "›" in listing  # the assistant's last messages, for context
    assert "Lan" in out.getvalue() and "cháu gọi lại cho Bác ngay" in out.getvalue()

    closed = await staff("close", "1")
    assert "closed" in closed.output
    assert "No citizen is waiting" in (await staff()).output
    assert await bot_store.open_handoffs(KEY) == []


async def test_answering_an_unknown_request_says_so(bot_store: Store, bot_env: None) -> None:
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["staff", "help", "answer", "7", "xin chào"]
    )
    assert result.exit_code == 1 and "No open help request #7" in result.output
