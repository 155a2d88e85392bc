"""Several notifier processes on PostgreSQL and Redis (`python -m bot.notify --workers 3`):
every message sent once, the feed followed by one process at a time, and the follower's
work taken over by a standby when the leading process is SIGKILLed mid-run.

The portal is the real one, served in a thread of the test; the Bot API is the fake,
enforcing Telegram's limits (scaled) so that three senders must share one limiter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text

from bot.store.engine import normalize_url
from portal.db.models import Application
from portal.services import events
from portal.services.context import PortalContext
from tests.bot.conftest import BotPostgres
from tests.conftest import BOT_TOKEN
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_thread import ThreadedFakeTelegram
from tests.support.server import serve

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SCALE = 2.0  # 60 messages/s overall, 2/s per chat: a run of several seconds
CHATS = 60
FIRST_CHAT = 710_000
# Each application goes through these; each makes exactly one message.
TYPES = (
    "application.received",
    "payment.confirmed",
    "application.approved",
    "application.result_ready",
    "application.completed",
)
REMINDED = 20  # applications whose fee was asked for and never paid: one reminder each
WAIT = 180.0  # seconds: generous, the machine may be busy (not a timing assertion)


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def store_url(_bot_postgres: BotPostgres | None) -> str:
    if _bot_postgres is None:
        pytest.skip("no PostgreSQL server reachable")
    if not redis_reachable():
        pytest.skip(f"no Redis server reachable at {REDIS_URL}")
    _bot_postgres.truncate()
    return _bot_postgres.url


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    engine = create_engine(normalize_url(store_url))
    yield engine
    engine.dispose()


@pytest.fixture
def tg() -> Iterator[ThreadedFakeTelegram]:
    fake = FakeTelegram.run_in_thread(enforce_limits=True, limit_scale=SCALE)
    # Each request spends a while on the wire, as on the Internet: a kill finds some
    # there (taken by Telegram, not yet marked sent), the only ones that may double.
    fake.fake.latency = 0.05
    yield fake
    fake.stop()


def new_applications(ctx: PortalContext, first: int, count: int) -> list[str]:
    with ctx.sessions() as db:
        apps = [
            Application(
                id=uuid.uuid4().hex,
                procedure="certified_copy",
                citizen=f"telegram:{FIRST_CHAT + first + i}",
                lang="vi",
                channel="online",
                status="received",
                answers={},
                tracking_code=f"WK-{first + i:06d}",
            )
            for i in range(count)
        ]
        db.add_all(apps)
        db.commit()
        return [a.id for a in apps]


def append_events(ctx: PortalContext, ids: list[str], types: tuple[str, ...]) -> None:
    """One commit per event type: the feed grows while the notifiers follow it."""
    for kind in types:
        with ctx.sessions() as db:
            for app_id in ids:
                app = db.get_one(Application, app_id)
                app.status = kind.split(".")[1]
                events.append(db, ctx, kind, app)
            db.commit()


def sent(tg: ThreadedFakeTelegram) -> list[tuple[int, str]]:
    return [(int(c.params["chat_id"]), str(c.params["text"])) for c in tg.calls_of("sendMessage")]


def wait_until(what: str, check: object, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def leader(store: Engine) -> tuple[int, str] | None:
    """The pid and worker name of the process holding the follower's lock."""
    with store.connect() as conn:
        name = conn.execute(
            text(
                "SELECT application_name FROM pg_stat_activity"
                " WHERE application_name LIKE 'motcua-notify-leader:%'"
                " AND datname = current_database()"
            )
        ).scalar()
    if not name:
        return None
    _, pid, worker = str(name).split(":", 2)
    return int(pid), worker


def children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.add(int(entry.name))
    return found


def sending_of(store: Engine, worker: str) -> int:
    with store.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'sending' AND claimed_by = :w"),
                {"w": worker},
            ).scalar_one()
        )


def statuses(store: Engine) -> dict[str, int]:
    with store.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))
        return {str(s): int(n) for s, n in rows}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the portal's database
def test_three_notifiers_send_each_message_once_and_a_standby_takes_over_the_feed(
    app: FastAPI,
    ctx: PortalContext,
    store_url: str,
    store: Engine,
    tg: ThreadedFakeTelegram,
    tmp_path: Path,
) -> None:
    half = CHATS // 2
    before = new_applications(ctx, 0, half)
    append_events(ctx, before, TYPES)
    log = tmp_path / "notifiers.log"
    with serve(app) as portal_url, log.open("ab") as out:
        env = os.environ | {
            "MOTCUA_ENV": "demo",  # the test's short service token is no production secret
            "BOT_DATABASE_URL": store_url,
            "PORTAL_URL": portal_url,
            "BOT_SERVICE_TOKEN": BOT_TOKEN,
            "TELEGRAM_BOT_TOKEN": "123456:TEST",
            "TELEGRAM_API_BASE": tg.api_base,
            "REDIS_URL": REDIS_URL,
            "NOTIFY_LIMITER_PREFIX": f"motcua-test:{uuid.uuid4().hex}",
            "NOTIFY_LIMIT_SCALE": str(SCALE),
            "NOTIFY_QUIET_START": "00:00",  # no quiet hours, whatever the time of the run
            "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_POLL_INTERVAL": "0.2",
            "NOTIFY_WORKER": "wtest",
            "LOG_LEVEL": "INFO",
        }
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "bot.notify", "--workers", "3"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        try:
            first_batch = half * len(TYPES)
            wait_until("the first messages", lambda: len(sent(tg)) >= first_batch // 3)
            wait_until("three notifiers", lambda: len(children(supervisor.pid)) == 3)
            first = leader(store)
            assert first is not None
            pid, worker = first
            standbys = children(supervisor.pid) - {pid}
            os.kill(pid, signal.SIGKILL)
            wait_until("the leader's death", lambda: pid not in children(supervisor.pid))
            # Rows the dead process left 'sending': the only messages that may be doubled.
            in_flight = sending_of(store, worker)
            delivered_at_kill = len(sent(tg))

            # The rest of the feed comes after the kill: someone else must follow it.
            after = new_applications(ctx, half, CHATS - half)
            append_events(ctx, after, TYPES)
            reminded = new_applications(ctx, CHATS, REMINDED)
            append_events(ctx, reminded, ("payment.requested",))
            expected = CHATS * len(TYPES) + REMINDED

            wait_until("a new leader", lambda: leader(store) not in (None, first))
            second = leader(store)
            wait_until("every message", lambda: len(set(sent(tg))) >= expected)
            time.sleep(1.0)  # room for a late duplicate to show up
            restarted = children(supervisor.pid)
        finally:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=60)

    calls = sent(tg)
    counted = Counter(calls)
    duplicates = sum(n - 1 for n in counted.values())
    print(
        f"delivered {len(counted)} of {expected} ({delivered_at_kill} before the kill),"
        f" in flight at the kill {in_flight}, duplicates {duplicates},"
        f" leader {first} then {second}, 429s {tg.stats.too_many_requests}"
    )
    assert len(counted) == expected, "a message was lost (or one never expected was sent)"
    # A crash may double only a request that was on the wire when it came.
    assert duplicates <= in_flight, (duplicates, in_flight, log.read_text()[-3000:])
    assert delivered_at_kill < expected
    # The feed's follower moved to a process that was standing by, not to the new one.
    assert second is not None and second[0] in standbys
    assert len(restarted) == 3  # the killed notifier was started again
    # One limiter for the three senders (Redis): Telegram never had to say 429.
    assert tg.stats.too_many_requests == 0
    # Nothing left behind: every row sent, none 'sending' or claimed after the stop.
    assert statuses(store) == {"sent": expected}


def test_several_notifiers_on_sqlite_are_refused(tmp_path: Path) -> None:
    env = os.environ | {
        "MOTCUA_ENV": "demo",
        "BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.notify", "--workers", "2"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "several notifier processes need PostgreSQL" in done.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before touching anything
