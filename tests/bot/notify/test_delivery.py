"""End to end: portal events (made by a clerk through StaffClient) → the notifier →
the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from backend_client import PortalClient, StaffClient
from bot.notify.models import OutboxMessage
from bot.store import Store
from tests.bot.notify.conftest import NewNotifier, Submit
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock

ALICE, BOB = 1001, 1002


def key(chat_id: int) -> str:
    return f"telegram:{chat_id}"


def rows(store: Store) -> list[OutboxMessage]:
    from sqlalchemy.orm import Session

    with Session(store.engine) as db:
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_clerk_action_reaches_the_citizen_once(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    app = await submit(key(ALICE))
    notifier = new_notifier()
    await notifier.start()

    await clerk.act(app.id, "receive")
    notifier.wake()
    [received] = await tg.wait_for_messages(ALICE, 1)
    assert app.tracking_code and app.tracking_code in received["text"]
    assert "tiếp nhận" in received["text"] and "Bác" in received["text"]
    assert received["callback_data"] == [f"g:app:{app.id}"]
    assert received["buttons"] == [["Xem chi tiết"]]

    proc_doc = app.documents[0].code
    await clerk.act(app.id, "request-supplement", documents=[proc_doc], note="Ảnh bị mờ")
    notifier.wake()
    [supplement] = await tg.wait_for_messages(ALICE, 1, since=1)
    assert "Ảnh bị mờ" in supplement["text"] and app.tracking_code in supplement["text"]
    assert supplement["callback_data"] == [f"g:supp:{app.id}", f"g:app:{app.id}"]
    assert supplement["buttons"][0] == ["Gửi bổ sung ngay"]
    await notifier.stop()

    # A restarted notifier reading the whole feed again sends nothing more.
    again = new_notifier()
    await again.follower.catch_up()
    await again.sender.drain()
    assert len(tg.sent_messages(ALICE)) == 2
    assert [r.status for r in rows(again.store)] == ["sent", "sent"]


async def test_a_rejection_says_why_and_offers_a_person(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    head: StaffClient,
    tg: FakeTelegram,
    portal: PortalClient,
) -> None:
    proc = await portal.get_procedure("certified_copy")
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    await clerk.act(app.id, "review")
    await head.act(app.id, "reject", note="Sai chữ ký")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    received, rejected = tg.sent_messages(ALICE)
    assert proc.name["vi"] in received["text"]
    assert "Lý do: Sai chữ ký" in rejected["text"] and "gọi điện" in rejected["text"]
    assert rejected["callback_data"] == [f"g:app:{app.id}", "g:human"]


async def test_english_application_gets_english_text(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    app = await submit(key(ALICE), lang="en")
    await clerk.act(app.id, "receive")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    [message] = tg.sent_messages(ALICE)
    assert message["text"].startswith("The ward office has received your application")
    assert message["buttons"] == [["See details"]]


async def test_a_restart_mid_stream_loses_nothing(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    chats = [2001, 2002, 2003]
    apps = [await submit(key(c)) for c in chats]
    for app in apps:
        await clerk.act(app.id, "receive")
        await clerk.act(app.id, "review")

    # The first process reads one small page and sends a single message, then dies.
    first = new_notifier(feed_page=8, max_in_flight=1)
    assert await first.follower.step() == 8  # 6 from the submits, then app 1
    assert await first.sender.fill() == 1
    await first.sender.drain()
    sent_before = len(tg.sent_messages())

    second = new_notifier()
    await second.follower.catch_up()
    await second.sender.recover()
    await second.sender.drain()
    for chat, app in zip(chats, apps, strict=True):
        [message] = tg.sent_messages(chat)
        assert app.tracking_code and app.tracking_code in message["text"]
    assert sent_before >= 1 and second.sender.metrics.possible_duplicates == 0


async def test_429s_are_waited_out(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    chats = [3001, 3002, 3003, 3004]
    apps = [await submit(key(c)) for c in chats]
    for app in apps:
        await clerk.act(app.id, "receive")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    tg.fail_next("sendMessage", 3, error_code=429, retry_after=1)
    await notifier.sender.drain()
    for chat in chats:
        assert len(tg.sent_messages(chat)) == 1
    assert notifier.sender.metrics.rate_limited == 3
    assert tg.stats.too_many_requests == 3
    assert {r.status for r in rows(notifier.store)} == {"sent"}


async def test_server_errors_are_retried_with_backoff(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    notifier = new_notifier(backoff_base=0.0)
    await notifier.follower.catch_up()
    tg.fail_next("sendMessage", 2, error_code=502)
    for _ in range(3):
        await notifier.sender.drain()
    assert len(tg.sent_messages(ALICE)) == 1
    [row] = rows(notifier.store)
    assert row.status == "sent" and row.attempts == 2


async def test_failed_after_max_attempts(
    new_notifier: NewNotifier, submit: Submit, clerk: StaffClient, tg: FakeTelegram
) -> None:
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    notifier = new_notifier(backoff_base=0.0, max_attempts=2)
    await notifier.follower.catch_up()
    tg.fail_next("sendMessage", 5, error_code=500)
    for _ in range(3):
        await notifier.sender.drain()
    [row] = rows(notifier.store)
    assert row.status == "failed" and row.attempts == 2
    assert tg.sent_messages(ALICE) == []


async def test_a_blocked_user_stops_receiving_while_others_continue(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
) -> None:
    a, b = await submit(key(ALICE)), await submit(key(BOB))
    tg.block_user(ALICE)
    notifier = new_notifier()
    for app in (a, b):
        await clerk.act(app.id, "receive")
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    chat = await notify_store.get_chat(key(ALICE))
    assert chat is not None and chat.blocked
    assert len(tg.sent_messages(BOB)) == 1 and tg.sent_messages(ALICE) == []
    tries = len(tg.calls_of("sendMessage", ok=False))

    for app in (a, b):
        await clerk.act(app.id, "review")
        await clerk.act(app.id, "request-supplement", note="Thiếu bản gốc")
    restarted = new_notifier()  # the block is known from the store, not from memory
    await restarted.follower.catch_up()
    await restarted.sender.drain()
    assert len(tg.sent_messages(BOB)) == 2
    assert len(tg.calls_of("sendMessage", ok=False)) == tries  # nothing more tried at Alice
    statuses = {(r.key, r.status, r.last_error) for r in rows(notify_store)}
    assert (key(ALICE), "failed", "blocked") in statuses


async def test_quiet_hours_hold_until_morning(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    clock: FrozenClock,
) -> None:
    app = await submit(key(ALICE))
    clock.set_local(2026, 3, 9, 22, 30)
    await clerk.act(app.id, "receive")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    assert tg.sent_messages(ALICE) == []
    assert (await notifier.sender.counts())["held"] == 1

    clock.set_local(2026, 3, 10, 6, 59)
    await notifier.sender.drain()
    assert tg.sent_messages(ALICE) == []

    clock.set_local(2026, 3, 10, 7, 0)
    await notifier.sender.drain()
    [message] = tg.sent_messages(ALICE)
    assert app.tracking_code and app.tracking_code in message["text"]


async def test_rows_left_sending_by_a_crash_are_resent_and_counted(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
) -> None:
    a, b = await submit(key(ALICE)), await submit(key(BOB))
    for app in (a, b):
        await clerk.act(app.id, "receive")
    crashed = new_notifier()
    await crashed.follower.catch_up()
    # The crash: one row was on its way to Telegram, another only claimed.
    first, second = rows(notify_store)
    from sqlalchemy.orm import Session

    with Session(notify_store.engine) as db:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first.id)
            .values(status="sending", claimed_by="test-worker", claimed_at=first.created_at)
        )
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == second.id)
            .values(status="claimed", claimed_by="test-worker", claimed_at=first.created_at)
        )
        db.commit()

    restarted = new_notifier()
    assert await restarted.sender.recover() == 1
    await restarted.sender.drain()
    assert restarted.sender.metrics.possible_duplicates == 1
    assert len(tg.sent_messages(ALICE)) == 1 and len(tg.sent_messages(BOB)) == 1
    resent = {r.key: r.resent for r in rows(notify_store)}
    assert resent == {first.key: 1, second.key: 0}


async def test_another_workers_rows_wait_for_its_lease(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
    clock: FrozenClock,
) -> None:
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    notifier = new_notifier(lease_seconds=60)
    await notifier.follower.catch_up()
    from sqlalchemy.orm import Session

    with Session(notify_store.engine) as db:
        db.execute(
            update(OutboxMessage).values(
                status="sending", claimed_by="other-host", claimed_at=clock()
            )
        )
        db.commit()
    assert await notifier.sender.recover() == 0  # the other worker may still be at it
    clock.advance(seconds=61)
    assert await notifier.sender.recover() == 1
    await notifier.sender.drain()
    assert len(tg.sent_messages(ALICE)) == 1


async def test_a_running_worker_never_takes_back_its_own_rows(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
    clock: FrozenClock,
) -> None:
    """The periodic recovery puts back a dead worker's rows only: this worker's claimed
    rows are in its queues, and put back they would be claimed and sent twice."""
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    notifier = new_notifier(lease_seconds=60)
    await notifier.follower.catch_up()
    [claimed] = await notifier.sender.claim(10)
    clock.advance(seconds=120)  # its own lease long past: still its own
    assert await notifier.sender.recover(own=False) == 0
    [row] = rows(notify_store)
    assert (row.status, row.claimed_by) == ("claimed", notifier.sender.worker)
    assert claimed.id == row.id
    assert await notifier.sender.claim(10) == []  # nothing to claim a second time


async def test_a_live_workers_lease_is_renewed_a_dead_ones_runs_out(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
    clock: FrozenClock,
) -> None:
    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    alive = new_notifier(lease_seconds=60, worker="alive")
    other = new_notifier(lease_seconds=60, worker="other")
    await alive.follower.catch_up()
    await alive.sender.claim(10)
    for _ in range(3):  # Telegram keeps it waiting for minutes: it renews
        clock.advance(seconds=45)
        assert await alive.sender.renew() == 1
        assert await other.sender.recover(own=False) == 0
    clock.advance(seconds=61)  # it died: no renewal for a whole lease
    assert await other.sender.recover(own=False) == 0  # 'claimed', never tried: no duplicate
    [row] = rows(notify_store)
    assert (row.status, row.claimed_by) == ("pending", None)
    await other.sender.drain()
    assert len(tg.sent_messages(ALICE)) == 1


async def test_the_running_sender_renews_its_lease(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
    clock: FrozenClock,
) -> None:
    """The renewal runs beside the send loop: a loop waiting on Telegram's retry_after
    must not let its lease run out."""
    from sqlalchemy.orm import Session

    app = await submit(key(ALICE))
    await clerk.act(app.id, "receive")
    notifier = new_notifier(lease_seconds=0.2)
    await notifier.start()
    notifier.wake()
    await tg.wait_for_messages(ALICE, 1)
    for _ in range(200):  # its 'sent' written
        if rows(notify_store)[0].status == "sent":
            break
        await asyncio.sleep(0.02)
    old = clock() - timedelta(hours=1)
    with Session(notify_store.engine) as db:  # held by it, as if waiting on Telegram
        db.execute(
            update(OutboxMessage).values(
                status="sending", claimed_by=notifier.sender.worker, claimed_at=old
            )
        )
        db.commit()
    for _ in range(200):
        await asyncio.sleep(0.02)
        [row] = rows(notify_store)
        if row.claimed_at is not None and naive(row.claimed_at) > naive(old):
            break
    await notifier.stop()
    [row] = rows(notify_store)
    assert row.status == "sending" and naive(row.claimed_at) == naive(clock())
    assert len(tg.sent_messages(ALICE)) == 1  # not taken back and sent again meanwhile


def naive(moment: datetime | None) -> datetime:
    assert moment is not None
    return (
        moment.replace(tzinfo=None)
        if moment.tzinfo is None
        else moment.astimezone(UTC).replace(tzinfo=None)
    )
