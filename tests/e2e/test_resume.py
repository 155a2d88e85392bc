"""The bot process is SIGKILLed mid-form; a new one on the same bot store goes on at
the same step. The bot runs as `python -m motcua bot`, polling the fake Bot API,
against the portal served on a real socket."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from bot.store import Store
from motcua.demo import _free_port
from tests.conftest import BOT_TOKEN
from tests.e2e.conftest import TOKEN
from tests.fakes.telegram_api import FakeTelegram

CHAT = 7100
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    port = _free_port("127.0.0.1")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("portal did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class BotProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, tg: FakeTelegram) -> None:
        mark = tg.mark()
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "motcua",
                "bot",
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        await tg.wait_for("getUpdates", timeout=60, since=mark, ok=None)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            await self.kill()


@pytest.fixture
async def bot_process(
    served: str, tg: FakeTelegram, bot_db: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": tg.api_base,
        "PORTAL_URL": served,
        "BOT_SERVICE_TOKEN": BOT_TOKEN,
        "BOT_DATABASE_URL": bot_db,
    }
    env.pop("WEBHOOK_URL", None)
    env.pop("REDIS_URL", None)
    process = BotProcess(env, tmp_path / "bot.log")
    try:
        yield process
    finally:
        await process.stop()


async def says(tg: FakeTelegram, text: str, expect: str) -> str:
    """Send `text`; the text of the bot's first later message that contains `expect`."""
    mark = tg.mark()
    tg.user_sends_text(CHAT, text)
    call = await tg.wait_for(
        lambda c: c.method == "sendMessage" and expect in str(c.params.get("text")),
        timeout=30,
        since=mark,
    )
    return str(call.params["text"])


async def presses(tg: FakeTelegram, label: str, expect: str) -> str:
    message = next(
        m
        for m in reversed(tg.sent_messages(CHAT))
        if any(label in b for row in m["buttons"] for b in row)
    )
    rows = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if label in b["text"]]
    mark = tg.mark()
    tg.user_presses_button(CHAT, message["message_id"], data)
    call = await tg.wait_for(
        lambda c: c.method == "sendMessage" and expect in str(c.params.get("text")),
        timeout=30,
        since=mark,
    )
    return str(call.params["text"])


async def test_killed_mid_form_resumes_at_the_same_step(
    tg: FakeTelegram, bot_process: BotProcess, bot_db: str
) -> None:
    await bot_process.start(tg)
    tg.user_starts(CHAT, language_code="vi")
    await tg.wait_for_messages(CHAT, 2, timeout=30)
    await presses(tg, "Tiếng Việt", "Bác cần làm gì")
    await says(tg, "làm giấy khai sinh cho cháu", "Giấy chứng sinh")
    await presses(tg, "Bắt đầu", "đồng ý")
    await presses(tg, "Tôi đồng ý", "Bước 1/11")
    await says(tg, "Nguyễn Thị Minh An", "Bước 2/11")
    asked = await says(tg, "Bé gái", "Bước 3/11")
    assert "Bé sinh ngày nào?" in asked

    await bot_process.kill()  # no shutdown, no cleanup
    sent_before = tg.message_count(CHAT)

    await bot_process.start(tg)
    answer = await says(tg, "mùng 5 tháng 3 2026", "Bước")
    assert answer.startswith("Bước 4/11") and "Bé sinh ở đâu" in answer
    after = tg.sent_messages(CHAT)[sent_before:]
    assert not any("Bước 1/11" in (m.get("text") or "") for m in after)  # nothing re-asked
    assert not any("đồng ý" in (m.get("text") or "") for m in after)

    store = Store(bot_db)
    try:
        state = await store.load_state(f"telegram:{CHAT}")
    finally:
        store.close()
    assert state.answers["child_name"] == "Nguyễn Thị Minh An"
    assert state.answers["child_sex"] == "female"
    assert state.field == "birth_place"
