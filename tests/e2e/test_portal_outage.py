"""The portal down while a citizen answers or submits, over the fake Telegram Bot API:
the typed answer is kept and told about once, and reaches the portal exactly once when
it is back (at the next message, or by the bot's background retry); a submit during
the outage ends with exactly one submitted application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from backend_client import PortalClient
from bot.store import Store
from bot.telegram.app import TelegramChannel
from tests.conftest import BOT_TOKEN
from tests.e2e.conftest import Citizen, Turns, run_channel, texts
from tests.e2e.flows import send_papers, tracking_code
from tests.fakes import FakeTelegram


class Switch(httpx.AsyncBaseTransport):
    """The portal's transport, refusing connections while ``down``; counts the writes
    the portal received."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.writes: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method != "GET":
            self.writes.append((request.method, request.url.path, await request.aread()))
        return await self.inner.handle_async_request(request)


@pytest.fixture
def switch(transport: httpx.ASGITransport) -> Switch:
    return Switch(transport)


@pytest.fixture
async def outage_channel(
    tg: FakeTelegram, switch: Switch, bot_store: Store, turns: Turns
) -> AsyncIterator[TelegramChannel]:
    async with PortalClient("http://portal", BOT_TOKEN, transport=switch, backoff=0.01) as client:
        ch, polling = await run_channel(tg, client, bot_store, turns)
        try:
            yield ch
        finally:
            await ch.dispatcher.stop_polling()
            await polling
            await ch.bot.session.close()


@pytest.fixture
def grandma(tg: FakeTelegram, turns: Turns, outage_channel: TelegramChannel) -> Citizen:
    return Citizen(tg, turns, 7101)


async def _until_pages(citizen: Citizen) -> None:
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    await citizen.says("chứng thực bản sao giấy tờ")
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Sổ đỏ")


def _answer_writes(switch: Switch, text: str) -> int:
    return sum(1 for m, path, body in switch.writes if "answers" in path and text in body.decode())


async def test_an_answer_typed_while_the_portal_is_down_arrives_once(
    grandma: Citizen, switch: Switch, portal: PortalClient
) -> None:
    await _until_pages(grandma)
    switch.down = True
    kept = texts(await grandma.says("3"))
    assert "đang bận" in kept and "không cần gõ lại" in kept
    assert "Bác cần mấy bản sao?" in kept  # the conversation goes on
    again = texts(await grandma.says("2"))
    assert "đang bận" not in again  # told once
    assert _answer_writes(switch, '"pages"') == 0
    switch.down = False
    await grandma.says("Lê Thị Mai")  # the next message delivers what was kept, in order
    assert _answer_writes(switch, '"pages"') == 1 and _answer_writes(switch, '"copies"') == 1
    [app] = await portal.my_applications(f"telegram:{grandma.chat_id}")
    full = await portal.get_application(f"telegram:{grandma.chat_id}", app.id)
    assert full.answers["pages"] == 3 and full.answers["copies"] == 2
    assert "Lê Thị Mai" in full.answers.values()
    await grandma.says("0905 123 456")
    await grandma.says("gì đó")  # nothing is sent twice later on
    assert _answer_writes(switch, '"pages"') == 1 and _answer_writes(switch, '"copies"') == 1


async def test_a_submit_while_the_portal_is_down_is_submitted_once(
    grandma: Citizen,
    switch: Switch,
    portal: PortalClient,
    outage_channel: TelegramChannel,
    tg: FakeTelegram,
) -> None:
    await _until_pages(grandma)
    for text in ("3", "2", "Lê Thị Mai", "0905 123 456"):
        await grandma.says(text)
    await send_papers(grandma, [3])
    await grandma.presses("Nộp hồ sơ")
    switch.down = True
    kept = texts(await grandma.presses("Có, nộp"))
    assert "đang bận" in kept and "Bác không cần làm gì thêm" in kept
    assert await outage_channel.retry_kept_once() == 1  # still down: kept, nothing sent
    switch.down = False
    mark = tg.message_count(grandma.chat_id)
    assert await outage_channel.retry_kept_once() == 0  # the background retry
    code = tracking_code(tg.sent_messages(grandma.chat_id)[mark:])
    assert await outage_channel.retry_kept_once() == 0
    await asyncio.sleep(0)
    submits = [w for w in switch.writes if w[1].endswith("/submit")]
    assert len(submits) == 1
    [app] = await portal.my_applications(f"telegram:{grandma.chat_id}")
    assert app.tracking_code == code and app.status == "submitted"
