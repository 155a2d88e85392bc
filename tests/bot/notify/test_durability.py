"""The outbox's durability on the hot path: marks committed around each request, the
SQLite lane serving the sender first, the feed applied in short transactions."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client import StaffClient
from bot.notify.db import Db
from bot.notify.models import NotifierCursor, OutboxMessage
from bot.store import Store
from tests.bot.notify.conftest import NewNotifier, Submit
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock

CHATS = [6001, 6002, 6003]


def key(chat_id: int) -> str:
    return f"telegram:{chat_id}"


def statuses(store: Store) -> dict[str, str]:
    """Each row's status as another connection sees it: only what was committed."""
    with Session(store.engine) as db:
        rows = db.execute(select(OutboxMessage.key, OutboxMessage.status))
        return {str(k): str(s) for k, s in rows}


async def wait_calls(tg: FakeTelegram, n: int) -> None:
    while len(tg.calls_of("sendMessage", ok=None)) < n:
        await asyncio.sleep(0.01)


async def test_a_row_is_sending_on_the_wire_and_sent_as_soon_as_answered(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
) -> None:
    apps = [await submit(key(c)) for c in CHATS]
    for app in apps:
        await clerk.act(app.id, "receive")
    notifier = new_notifier()
    await notifier.follower.catch_up()
    rows = await notifier.sender.claim(10)
    assert len(rows) == 3

    tg.latency = 1.0  # holds each request before Telegram takes it
    first = asyncio.create_task(notifier.sender.deliver(rows[0]))
    await wait_calls(tg, 1)
    # The attempt is durable before the request leaves; the others were never tried.
    assert statuses(notify_store) == {
        rows[0].key: "sending",
        rows[1].key: "claimed",
        rows[2].key: "claimed",
    }
    await first
    # Telegram answered: 'sent' is committed before deliver() returns, alone, while
    # the other rows have not been touched (no batch to fill first).
    assert statuses(notify_store)[rows[0].key] == "sent"
    assert [r for r, s in statuses(notify_store).items() if s == "claimed"] == [
        rows[1].key,
        rows[2].key,
    ]
    tg.latency = 0.0
    for row in rows[1:]:
        await notifier.sender.deliver(row)
    assert set(statuses(notify_store).values()) == {"sent"}


async def test_a_crash_duplicates_only_the_rows_on_the_wire(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
) -> None:
    """The process dies while two requests are on their way (Telegram takes them)
    and a third row is only claimed: after the restart exactly those two are sent
    again and counted; nothing is lost."""
    apps = [await submit(key(c)) for c in CHATS]
    for app in apps:
        await clerk.act(app.id, "receive")
    crashed = new_notifier()
    await crashed.follower.catch_up()
    rows = await crashed.sender.claim(10)
    tg.latency = 0.5
    on_the_wire = [asyncio.create_task(crashed.sender.deliver(r)) for r in rows[:2]]
    await wait_calls(tg, 2)
    # The crash: the sender's tasks vanish before Telegram's answers are recorded.
    for task in on_the_wire:
        task.cancel()
    await asyncio.gather(*on_the_wire, return_exceptions=True)
    await asyncio.sleep(0.6)  # Telegram still takes both messages
    tg.latency = 0.0
    assert len(tg.calls_of("sendMessage")) == 2
    in_flight = [k for k, s in statuses(notify_store).items() if s == "sending"]
    assert sorted(in_flight) == sorted(r.key for r in rows[:2])

    restarted = new_notifier()
    assert await restarted.sender.recover() == 2
    await restarted.sender.drain()
    sent = [(c.params["chat_id"]) for c in tg.calls_of("sendMessage")]
    assert sorted(sent) == sorted([*CHATS, *(int(r.key.split(":")[1]) for r in rows[:2])])
    assert restarted.sender.metrics.possible_duplicates == 2
    assert set(statuses(notify_store).values()) == {"sent"}


async def test_the_sqlite_lane_serves_urgent_jobs_first(sqlite_store: Store) -> None:
    db = Db(sqlite_store.engine)
    order: list[str] = []
    running, release = threading.Event(), threading.Event()

    def blocker(_: Session) -> None:
        running.set()
        release.wait(5)

    def job(name: str) -> Any:
        return lambda _: order.append(name)

    try:
        first = asyncio.create_task(db.run(blocker))
        await asyncio.to_thread(running.wait, 5)
        feed = [asyncio.create_task(db.run(job(f"feed {i}"))) for i in range(3)]
        await asyncio.sleep(0)
        mark = asyncio.create_task(db.run(job("mark"), urgent=True))
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, *feed, mark)
    finally:
        db.close()
    assert order == ["mark", "feed 0", "feed 1", "feed 2"]


async def test_a_failure_mid_page_keeps_the_transactions_already_committed(
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    notify_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apps = [await submit(key(c)) for c in CHATS]
    for app in apps:
        await clerk.act(app.id, "receive")
    notifier = new_notifier(feed_txn_events=2)
    calls = 0
    apply = notifier.follower._apply

    def failing(db: Session, cursor: int, events: list[Any]) -> int | None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the process dies here")
        return apply(db, cursor, events)

    monkeypatch.setattr(notifier.follower, "_apply", failing)
    with pytest.raises(RuntimeError):
        await notifier.follower.step()
    with Session(notify_store.engine) as db:
        cursor = db.get(NotifierCursor, "portal")
        assert cursor is not None and cursor.last_event_id > 0  # two transactions kept
    monkeypatch.undo()

    again = new_notifier()
    await again.follower.catch_up()
    await again.sender.drain()
    for chat, app in zip(CHATS, apps, strict=True):
        [message] = tg.sent_messages(chat)  # once each: nothing lost, nothing doubled
        assert app.tracking_code and app.tracking_code in message["text"]


@pytest.mark.parametrize("per_txn", [1, 100])
async def test_a_fee_paid_in_the_same_chunk_cancels_the_reminder(
    per_txn: int,
    new_notifier: NewNotifier,
    submit: Submit,
    clerk: StaffClient,
    tg: FakeTelegram,
    clock: FrozenClock,
) -> None:
    """Events of one transaction are still applied in feed order: the reminder set by
    'payment.requested' is cancelled by the 'payment.confirmed' after it, whether
    they are applied together or apart."""
    app = await submit(key(CHATS[0]))  # a certified copy asks for a fee
    await clerk.act(app.id, "receive")
    await clerk.confirm_counter_payment(app.id)
    notifier = new_notifier(feed_txn_events=per_txn, unpaid_reminder_hours=24)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    before = [m["text"] for m in tg.sent_messages(CHATS[0])]
    clock.advance(hours=25)
    await notifier.follower.catch_up()
    await notifier.sender.drain()
    after = [m["text"] for m in tg.sent_messages(CHATS[0])]
    assert after == before
    assert not any("chưa nộp lệ phí" in t for t in after)
