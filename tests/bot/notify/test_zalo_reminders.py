"""A reminder is fired once, by whichever follower finds it due: the Telegram
notifier's follower writes the Zalo relative's row too, and only the Zalo sender
takes it (the Telegram sender leaves `zalo:` rows alone)."""

from __future__ import annotations

from backend_client import PortalClient
from bot.store import Store
from bot.zalo.news import ZaloNews
from tests.bot.notify.conftest import NewNotifier, Submit
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock

OWNER = 4001


class Shown:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    async def deliver(self, key: str, text: str, buttons: list[list[dict[str, str]]]) -> bool:
        self.messages.append((key, text))
        return True


async def test_a_telegram_notifier_fires_the_reminder_for_a_zalo_relative_too(
    new_notifier: NewNotifier,
    submit: Submit,
    tg: FakeTelegram,
    clock: FrozenClock,
    portal: PortalClient,
    notify_store: Store,
) -> None:
    app = await submit(f"telegram:{OWNER}")  # a certified copy asks for a fee
    notifier = new_notifier(unpaid_reminder_hours=24)
    assert app.tracking_code
    await notifier.subscribe("zalo:r1", app.tracking_code)
    shown = Shown()
    zalo = ZaloNews(notify_store, portal, shown, notifier.settings, clock=clock)
    await notifier.follower.catch_up()
    await zalo.follower.catch_up()  # both have read the fee request
    clock.advance(hours=25)
    await notifier.follower.catch_up()  # the Telegram side finds the reminder due
    await notifier.sender.drain()
    [reminder] = tg.sent_messages(OWNER)
    assert "chưa nộp lệ phí" in reminder["text"]
    await zalo.follower.catch_up()  # fired already by the other follower
    await zalo.sender.drain()
    [(key, text)] = shown.messages
    assert key == "zalo:r1" and "lệ phí" in text
