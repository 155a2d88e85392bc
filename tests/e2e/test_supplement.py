"""A supplement round trip over the fake Bot API: a clerk asks for new ID photos and a
corrected answer with the real `motcua staff` command, the notifier tells the citizen,
who answers by typing and sending photos only, and the clerk finds it submitted again
with exactly the new photos."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from click.testing import CliRunner, Result
from fastapi import FastAPI

from backend_client import PortalClient, StaffClient
from bot.notify import Notifier, NotifySettings
from bot.notify.db import notifier_engine
from bot.store import Store
from bot.telegram import TelegramChannel
from motcua.cli import main
from tests.conftest import CLERK_TOKEN
from tests.e2e.conftest import Citizen, texts
from tests.e2e.flows import submitted_via_portal
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock
from tests.support.images import photo
from tests.support.server import serve

ID_CARD = "applicant_id_card"


@pytest.fixture
async def notifier(
    bot_db: str, portal: PortalClient, channel: TelegramChannel, clock: FrozenClock
) -> AsyncIterator[Notifier]:
    store = Store(notifier_engine(bot_db))
    settings = NotifySettings(worker="e2e", backoff_base=0.05, poll_interval=0.05)
    notifier = Notifier(store, portal, channel.bot, settings, clock=clock, idle_poll=0.05)
    yield notifier
    await notifier.stop()
    store.close()


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


async def staff(served: str, *args: str) -> Result:
    """`motcua staff ...` as a clerk types it in a terminal."""
    env = {"PORTAL_URL": served, "STAFF_TOKEN": CLERK_TOKEN}
    result = await asyncio.to_thread(CliRunner().invoke, main, ["staff", *args], env=env)
    assert result.exit_code == 0, result.output
    return result


async def test_a_supplement_round_trip_after_a_clerks_request(
    citizen: Citizen,
    tg: FakeTelegram,
    portal: PortalClient,
    clerk: StaffClient,
    notifier: Notifier,
    clock: FrozenClock,
    served: str,
) -> None:
    owner = f"telegram:{citizen.chat_id}"
    code = await submitted_via_portal(portal, owner, clock().date())
    [app] = await portal.my_applications(owner)
    before = await clerk.get_application(app.id)
    old_card = [d.id for d in before.documents if d.code == ID_CARD]
    await citizen.start()
    await citizen.says("tiếng việt")

    clock.advance(hours=1)
    await staff(served, "receive", app.id)
    asked = await staff(
        served,
        "request-supplement",
        app.id,
        "--doc",
        ID_CARD,
        "--field",
        "child_name",
        "--note",
        "Ảnh thẻ bị lóa, tên bé cần ghi đủ dấu",
    )
    assert f"{code}: supplement_requested" in asked.output
    mark = tg.message_count(citizen.chat_id)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    news = texts(tg.sent_messages(citizen.chat_id)[mark:])
    assert code in news and "Thẻ căn cước của người đi khai" in news

    clock.advance(minutes=10)
    shown = await citizen.says("gửi giấy bổ sung")
    said = texts(shown)
    assert f"bổ sung hồ sơ {code}" in said and "Ảnh thẻ bị lóa" in said
    assert "Trả lời lại" in said and all(len(m["text"]) <= 300 for m in shown)
    assert "Nguyễn Văn An" in shown[-1]["text"]  # the answer given before, to correct

    card = await citizen.says("Nguyễn Văn Ân")
    # The old photos filled the card before: now it asks for both sides again.
    assert "Giấy tờ 1/1" in texts(card) and "mặt trước" in texts(card)
    back = await citizen.sends_photo(photo(text="MAT TRUOC MOI"))
    assert "Đã nhận mặt trước" in texts(back) and "mặt sau" in texts(back)
    confirm = await citizen.sends_photo(photo(text="MAT SAU MOI"))
    assert "Đã nhận 2 ảnh" in texts(confirm) and "nộp bây giờ" in texts(confirm)
    done = await citizen.says("nộp")
    assert "Đã gửi giấy tờ bổ sung" in texts(done) and code in texts(done)

    again = await clerk.get_application(app.id)
    assert again.status == "submitted" and again.tracking_code == code
    assert again.answers["child_name"] == "Nguyễn Văn Ân"
    new_card = [d.id for d in again.documents if d.code == ID_CARD]
    assert len(new_card) == 2 and not set(new_card) & set(old_card)
    queue = await staff(served, "queue", "--status", "submitted")
    assert code in queue.output
