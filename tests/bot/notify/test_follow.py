"""Subscriptions, helpers, reminders and the webhook wake-up."""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from hashlib import sha256

import pytest
from aiohttp.test_utils import TestClient, TestServer

from backend_client import PortalClient, StaffClient, ValidationFailedError
from tests.bot.notify.conftest import NewNotifier, Submit
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock

OWNER, RELATIVE, VOLUNTEER = 4001, 4002, 4003


def key(chat_id: int) -> str:
    return f"telegram:{chat_id}"


async def test_a_relative_subscribes_with_the_tracking_code(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    app = await submit(key(OWNER))
    notifier = new_notifier()
    assert app.tracking_code
    found = await notifier.subscribe(key(RELATIVE), app.tracking_code.lower(), lang="en")
    assert found.tracking_code == app.tracking_code
    await notifier.subscribe(key(RELATIVE), app.tracking_code, lang="en")  # twice is once
    with pytest.raises(ValidationFailedError):
        await notifier.subscribe(key(RELATIVE), "PX-0000000-Z")

    await clerk.act(app.id, "receive")
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    [to_owner] = tg.sent_messages(OWNER)
    [to_relative] = tg.sent_messages(RELATIVE)
    assert "tiếp nhận" in to_owner["text"]
    assert to_relative["text"].startswith("The ward office has received")
    # Only the relative can stop the news from the message itself.
    assert to_owner["callback_data"] == [f"g:app:{app.id}"]
    assert to_relative["callback_data"] == [f"g:app:{app.id}", f"g:unfollow:{app.tracking_code}"]
    assert to_relative["buttons"][-1] == ["🔕 Stop the news of this application"]
    [sub] = await notifier.subscriptions(key(RELATIVE))
    assert sub.application_id == app.id and sub.role == "relative"

    assert await notifier.unsubscribe(key(RELATIVE), app.tracking_code)
    await clerk.act(app.id, "review")
    await clerk.act(app.id, "request-supplement", note="Thiếu bản gốc")
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert len(tg.sent_messages(OWNER)) == 2 and len(tg.sent_messages(RELATIVE)) == 1


async def test_the_volunteer_hears_when_the_citizen_has_no_chat(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    # Filed by a volunteer for a citizen known only by phone: the volunteer is told.
    by_phone = await submit(key(VOLUNTEER), on_behalf_of="phone:0905123456")
    # Filed for a citizen with a Telegram chat: only the citizen is told.
    by_chat = await submit(key(VOLUNTEER), on_behalf_of=key(OWNER))
    for app in (by_phone, by_chat):
        await clerk.act(app.id, "receive")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    [to_volunteer] = tg.sent_messages(VOLUNTEER)
    [to_citizen] = tg.sent_messages(OWNER)
    assert by_phone.tracking_code and by_phone.tracking_code in to_volunteer["text"]
    assert by_chat.tracking_code and by_chat.tracking_code in to_citizen["text"]
    assert to_volunteer["callback_data"] == [f"g:app:{by_phone.id}"]  # no stop button


async def test_unpaid_fee_reminder_after_the_delay(
    new_notifier: NewNotifier,
    submit: Submit,
    tg: FakeTelegram,
    clock: FrozenClock,
) -> None:
    app = await submit(key(OWNER))  # a certified copy asks for a fee
    notifier = new_notifier(unpaid_reminder_hours=24)
    assert app.tracking_code
    await notifier.subscribe(key(RELATIVE), app.tracking_code)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert tg.sent_messages(OWNER) == []

    clock.advance(hours=25)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    [reminder] = tg.sent_messages(OWNER)
    assert "chưa nộp lệ phí" in reminder["text"]
    assert reminder["callback_data"] == [f"g:pay:{app.id}", f"g:app:{app.id}"]
    [to_relative] = tg.sent_messages(RELATIVE)
    assert to_relative["callback_data"][-1] == f"g:unfollow:{app.tracking_code}"
    clock.advance(hours=25)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert len(tg.sent_messages(OWNER)) == 1  # a reminder is sent once


async def test_supplement_reminder_is_cancelled_by_the_resubmission(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    portal: PortalClient,
    tg: FakeTelegram,
    clock: FrozenClock,
) -> None:
    late, quick = await submit(key(OWNER)), await submit(key(RELATIVE))
    for app in (late, quick):
        await clerk.act(app.id, "receive")
        await clerk.act(app.id, "request-supplement", note="Ảnh bị mờ")
    await portal.submit(key(RELATIVE), quick.id, "again")
    notifier = new_notifier(supplement_reminder_hours=48, unpaid_reminder_hours=1000)
    await notifier.follower.catch_up()
    clock.advance(hours=49)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    texts = [m["text"] for m in tg.sent_messages(OWNER)]
    assert any(t.startswith("Nhắc Bác") and "giấy tờ bổ sung" in t for t in texts)
    assert not any(
        t.startswith("Nhắc Bác") for t in (m["text"] for m in tg.sent_messages(RELATIVE))
    )


async def test_due_date_at_risk_the_day_before(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    clock: FrozenClock,
) -> None:
    app = await submit(key(OWNER), procedure="household_business")  # 3 working days
    assert app.due_date is not None
    await clerk.act(app.id, "receive")
    notifier = new_notifier(unpaid_reminder_hours=10_000)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert len(tg.sent_messages(OWNER)) == 1  # "received"

    day_before = app.due_date.toordinal() - 1
    from datetime import date

    d = date.fromordinal(day_before)
    clock.set_local(d.year, d.month, d.day, 9, 0)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    risk = tg.last_message(OWNER)
    assert app.due_date.strftime("%d/%m/%Y") in risk["text"]
    assert risk["callback_data"] == [f"g:app:{app.id}", "g:human"]


async def test_the_webhook_only_wakes_the_follower(new_notifier: NewNotifier) -> None:
    notifier = new_notifier(event_webhook_secret="s3cret")
    body = json.dumps({"events": []}).encode()
    good = hmac.new(b"s3cret", body, sha256).hexdigest()
    async with TestClient(TestServer(notifier.webhook_app())) as client:
        bad = await client.post("/portal-events", data=body, headers={"X-Signature": "00"})
        assert bad.status == 401 and not notifier.feed_wake.is_set()
        ok = await client.post("/portal-events", data=body, headers={"X-Signature": good})
        assert ok.status == 200 and notifier.feed_wake.is_set()


AT_RISK = "nhưng chưa xong"


async def test_no_at_risk_warning_for_an_application_sent_after_its_moment(
    new_notifier: NewNotifier, submit: Submit, tg: FakeTelegram, clock: FrozenClock
) -> None:
    """Sent on Monday at 16:00, after the 15:00 cut-off, a same-day copy is due on Tuesday:
    the moment to warn ("due tomorrow, not ready", Monday 08:00) passed before it was even
    sent, so the citizen who has just sent it hears nothing of the kind."""
    clock.set_local(2026, 3, 9, hour=16)
    app = await submit(key(OWNER))
    notifier = new_notifier(unpaid_reminder_hours=10_000)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    clock.advance(hours=2)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert app.due_date is not None and str(app.due_date) == "2026-03-10"
    assert not any(AT_RISK in m["text"] for m in tg.sent_messages(OWNER))


async def test_the_at_risk_warning_comes_the_day_before_the_due_date(
    new_notifier: NewNotifier, submit: Submit, tg: FakeTelegram, clock: FrozenClock
) -> None:
    """An application the office has had days for and has not finished: warned once, at
    08:00 the day before its due date."""
    app = await submit(key(OWNER), procedure="elderly_allowance")
    assert app.due_date is not None
    notifier = new_notifier(unpaid_reminder_hours=10_000)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert not any(AT_RISK in m["text"] for m in tg.sent_messages(OWNER))
    eve = app.due_date - timedelta(days=1)
    clock.set_local(eve.year, eve.month, eve.day, hour=8, minute=5)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    warned = [m for m in tg.sent_messages(OWNER) if AT_RISK in m["text"]]
    assert len(warned) == 1 and app.tracking_code and app.tracking_code in warned[0]["text"]
