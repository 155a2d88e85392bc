"""The terminal is a real channel: a clerk's action through the portal reaches the
citizen in the terminal (the notifier's follower and sender, the terminal as sink)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from backend_client import PortalClient, StaffClient, UnavailableError
from bot.context import ContextProvider
from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.notify import NotifySettings
from bot.notify.models import OutboxMessage
from bot.runtime import Runtime
from bot.settings import BotSettings
from bot.store import Store
from bot.terminal import Terminal, scripted
from bot.terminal_news import TerminalNews
from motcua import bot_commands
from tests.e2e.flows import submitted_via_portal
from tests.support.clock import FrozenClock

KEY = "terminal:bac"
FAST = NotifySettings(worker="t", poll_interval=0.05, backoff_base=0.05)


def outbox(store: Store) -> list[OutboxMessage]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


async def until(check: Callable[[], bool], what: str, bound: float = 20.0) -> None:
    """Wait for something the notifier's tasks do; the bound only stops a hung test."""
    for _ in range(int(bound / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_clerks_supplement_request_and_result_appear_in_the_terminal(
    portal: PortalClient,
    clerk: StaffClient,
    head: StaffClient,
    bot_store: Store,
    clock: FrozenClock,
) -> None:
    code = await submitted_via_portal(portal, KEY, clock().date())
    [app] = await portal.my_applications(KEY)
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal),
    )
    out = io.StringIO()
    terminal: Terminal

    async def lines() -> AsyncIterator[str]:
        yield "1"  # Tiếng Việt: the menu's buttons are now numbered 1..n
        shown = len(terminal.buttons)
        await clerk.act(app.id, "receive")
        await clerk.act(app.id, "request-supplement", note="Ảnh bị mờ", documents=["birth_notice"])
        await news.follower.catch_up()
        await news.sender.drain()
        text = out.getvalue()
        assert f"hồ sơ {code}" in text and "đã tiếp nhận" in text
        assert "Giấy chứng sinh" in text and "Ảnh bị mờ" in text
        # The news' buttons come after the question's, which stay pressable.
        assert len(terminal.buttons) > shown
        assert terminal.buttons[-1].data == f"g:app:{app.id}"
        assert f"  {shown + 1}) Xem chi tiết" in text.split("đã tiếp nhận", 1)[1]
        # Two days without the papers: the reminder comes the same way.
        clock.advance(hours=49)
        await news.follower.catch_up()
        await news.sender.drain()
        assert "Nhắc Bác" in out.getvalue()
        await portal.submit(KEY, app.id, "resubmit-1")
        await clerk.act(app.id, "receive")
        await clerk.act(app.id, "review")
        await head.act(app.id, "approve")
        await clerk.act(app.id, "result-ready", note="Quầy số 2")
        await news.follower.catch_up()
        await news.sender.drain()
        yield "/quit"

    terminal = Terminal(runtime, key=KEY, lines=lines(), out=out)
    news = TerminalNews(bot_store, portal, terminal, FAST, clock=clock)
    await news._skip_history_on_first_start()  # the submission came before: no flood
    await terminal.run()
    await news.stop()
    text = out.getvalue()
    assert "Quầy số 2" in text
    rows = outbox(bot_store)
    assert [r.kind for r in rows] == [
        "received",
        "supplement_requested",
        "reminder_supplement",
        "received",
        "approved",
        "result_ready",
    ]
    assert {r.status for r in rows} == {"sent"}


async def test_news_during_a_turn_comes_after_its_answer_and_other_chats_are_left(
    portal: PortalClient, clerk: StaffClient, bot_store: Store, clock: FrozenClock
) -> None:
    other = "terminal:someone-else"
    await submitted_via_portal(portal, KEY, clock().date())
    await submitted_via_portal(portal, other, clock().date())
    [mine] = await portal.my_applications(KEY)
    [theirs] = await portal.my_applications(other)
    out = io.StringIO()
    terminal: Terminal

    class ClerkDuringTheTurn(EffectRunner):
        """The clerk acts, and the news is printed-or-queued, while the turn runs."""

        async def run(self, effect, citizen):  # type: ignore[no-untyped-def]
            if effect.name == "list_mine" and not outbox(bot_store):
                await clerk.act(mine.id, "receive")
                await clerk.act(theirs.id, "receive")
                await news.follower.catch_up()
                await news.sender.drain()
                assert "đã tiếp nhận" not in out.getvalue()  # not inside the answer
            return await super().run(effect, citizen)

    runtime = Runtime(
        store=bot_store,
        runner=ClerkDuringTheTurn(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal),
    )

    async def lines() -> AsyncIterator[str]:
        yield "1"  # Tiếng Việt
        yield "hồ sơ của tôi"
        yield "/quit"

    terminal = Terminal(runtime, key=KEY, lines=lines(), out=out)
    news = TerminalNews(bot_store, portal, terminal, FAST, clock=clock)
    await terminal.run()
    await news.stop()
    text = out.getvalue()
    answer_at, news_at = text.rfind("Hồ sơ của Bác"), text.find("đã tiếp nhận")
    assert 0 <= answer_at < news_at, text[-1500:]
    # The other terminal chat's news is neither written for this chat nor taken by it.
    assert {r.key for r in outbox(bot_store)} == {KEY}


async def test_motcua_chat_runs_the_notifier(
    portal: PortalClient,
    clerk: StaffClient,
    bot_db: str,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`motcua chat` (and so `make demo`) prints a clerk's request without being asked."""
    monkeypatch.setenv("NOTIFY_POLL_INTERVAL", "0.05")
    settings = BotSettings(bot_database_url=bot_db, portal_url="http://portal")
    seen: list[str] = []

    def output() -> str:
        seen.append(capsys.readouterr().out)
        return "".join(seen)

    async def lines() -> AsyncIterator[str]:
        yield "1"
        code = await submitted_via_portal(portal, "terminal:bac", clock().date())
        [app] = await portal.my_applications("terminal:bac")
        await clerk.act(app.id, "receive")
        await clerk.act(app.id, "request-supplement", note="Thiếu giấy", documents=["birth_notice"])
        await until(lambda: "Thiếu giấy" in output(), "the supplement request printed")
        assert code in output()
        yield "/quit"

    assert await bot_commands.chat(settings, user="bac", lines=lines(), portal=portal) == 0


async def test_a_relative_follows_an_application_from_the_terminal(
    portal: PortalClient,
    clerk: StaffClient,
    bot_db: str,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The follow button works in the terminal too (its news used to be Telegram's only)."""
    monkeypatch.setenv("NOTIFY_POLL_INTERVAL", "0.05")
    settings = BotSettings(bot_database_url=bot_db, portal_url="http://portal")
    code = await submitted_via_portal(portal, "telegram:777", clock().date())
    [app] = await portal.my_applications("telegram:777")
    seen: list[str] = []

    def output() -> str:
        seen.append(capsys.readouterr().out)
        return "".join(seen)

    async def lines() -> AsyncIterator[str]:
        yield "1"  # Tiếng Việt
        yield code
        [number] = re.findall(r"(\d+)\) 🔔", output())
        yield number
        assert "Từ nay Bác sẽ nhận thông báo" in output()
        await clerk.act(app.id, "receive")
        await until(lambda: "đã tiếp nhận" in output(), "the relative's news printed")
        yield "/quit"

    assert await bot_commands.chat(settings, user="chau", lines=lines(), portal=portal) == 0


async def test_the_chat_starts_even_when_the_feed_cannot_be_read(
    portal: PortalClient, bot_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(after: int = 0, limit: int = 100) -> None:
        raise UnavailableError(503, "unavailable", {})

    monkeypatch.setattr(portal, "events", refused)
    out = io.StringIO()
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal),
    )
    terminal = Terminal(runtime, key=KEY, lines=scripted(["1", "/quit"]), out=out)
    news = TerminalNews(bot_store, portal, terminal, FAST)
    await news.start()
    await terminal.run()
    await news.stop()
    assert "Đã chuyển sang tiếng Việt" in out.getvalue()
