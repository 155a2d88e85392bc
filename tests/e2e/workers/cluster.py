"""Bot and portal as separate processes on PostgreSQL and Redis, the fake Telegram
delivering webhooks to them: the pieces of the multi-worker and SIGKILL tests.

The fake Telegram and the deliverer run in the test's event loop; every worker is a
real process (`motcua bot` in webhook mode, `motcua portal --workers N`, the notifier);
the test reads the outcome from the fake's record of messages and the portal database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from tests.fakes import FakeTelegram, InjectedUpdate
from tests.fakes.telegram_webhooks import WebhookDeliverer
from tests.support.databases import PG_ADMIN_URL, PostgresDatabase, postgres_reachable
from tests.support.images import photo

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "123456:WORKERS"
SECRET = "workers-webhook-secret"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
CLERK_TOKEN = "demo-clerk-token"
PHOTO = "<photo>"
# A certified copy, typed: the shortest procedure from /start to a tracking code
# (a paper of one page: one photo, then "xong"). Every chat says exactly this.
SCRIPT: tuple[str, ...] = (
    "/start",
    "công chứng giấy tờ",
    "bắt đầu",
    "đồng ý",
    "Sổ đỏ",
    "một trang",
    "một bản",
    "Lê Thị Mai",
    "0905 123 456",
    PHOTO,
    "xong",
    "nộp luôn",
)
CODE = re.compile(r"\b[A-Z]{2}-\d{4}-[A-Z0-9]{6}\b")


def redis_reachable() -> bool:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def require_services() -> None:
    """Skip (with the reason) unless PostgreSQL and Redis answer."""
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} (TEST_POSTGRES_URL)")
    if not redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL} (TEST_REDIS_URL)")


async def wait_port(port: int, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {port} after {timeout} s") from None
            await asyncio.sleep(0.05)


@dataclass
class Databases:
    """A fresh portal database and bot store on the shared PostgreSQL, a Redis
    database emptied of this test's keys."""

    portal: PostgresDatabase = field(default_factory=PostgresDatabase)
    bot_name: str = field(default_factory=lambda: f"motcua_bot_{uuid.uuid4().hex[:10]}")

    @property
    def bot_url(self) -> str:
        return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{self.bot_name}"

    def create(self) -> None:
        from bot.store.migrate import upgrade

        self.portal.create()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.bot_name}"')
        upgrade(self.bot_url)
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        client.close()

    def drop(self) -> None:
        self.portal.drop()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.bot_name}" WITH (FORCE)')


def environment(dbs: Databases, tg: FakeTelegram, portal_url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        MOTCUA_ENV="demo",
        DATABASE_URL=dbs.portal.url,
        UPLOAD_DIR=str(tmp / "uploads"),
        BOT_DATABASE_URL=dbs.bot_url,
        REDIS_URL=REDIS_URL,
        PORTAL_URL=portal_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=tg.api_base,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        BOT_LINK="https://t.me/motcua_test_bot",
        TYPING_AFTER="30",
        NOTIFY_QUIET_START="00:00",  # no quiet hours: the test may run at night
        NOTIFY_QUIET_END="00:00",
        NOTIFY_POLL_INTERVAL="0.3",
        PYTHONPATH=str(ROOT),
    )
    return env


class Processes:
    """The worker processes; every one is ended at the end, by its own id."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


Scenario = Callable[[FakeTelegram, "Databases", "Processes", Path], Awaitable[None]]


async def run_cluster(tmp_path: Path, scenario: Scenario) -> None:
    """Fresh databases and the fake Telegram around ``scenario``; every process it
    started is ended and the databases dropped, whatever happens."""
    require_services()
    dbs = Databases()
    dbs.create()
    procs = Processes(tmp_path)
    try:
        prepare_portal(dbs, tmp_path)
        async with FakeTelegram(token=TOKEN) as tg:
            await scenario(tg, dbs, procs, tmp_path)
    finally:
        procs.stop_all()
        dbs.drop()
        print(cpu_seconds())


def prepare_portal(dbs: Databases, tmp: Path) -> None:
    """The demo staff accounts (the clerk's token) in the migrated portal database."""
    from motcua.portal_commands import seed_demo_staff
    from portal.settings import PortalSettings

    seed_demo_staff(
        PortalSettings(database_url=dbs.portal.url, upload_dir=tmp / "uploads", motcua_env="demo")
    )


async def start_portal(
    procs: Processes, env: dict[str, str], port: int, workers: int
) -> subprocess.Popen[bytes]:
    """The portal as production runs it: `motcua portal --workers N` (uvicorn's
    supervisor, ``workers`` processes sharing one port; the database migrated once by
    the parent; the demo staff come from prepare_portal)."""
    args = [
        "-m",
        "motcua",
        "portal",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-seed",
    ]
    process = procs.start(f"portal-{port}", args, env)
    await wait_port(port, process, timeout=180)
    return process


def cpu_seconds() -> str:
    """The CPU the test used (itself and the processes it waited for: the portal, the
    `motcua bot` workers, the notifier — not the zygote's forks), for its duration on
    a machine of its own."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        f"CPU: test process {own.ru_utime + own.ru_stime:.1f} s, "
        f"its waited-for processes {children.ru_utime + children.ru_stime:.1f} s"
    )


def chat_ids(count: int, base: int = 7_100_000_000) -> list[int]:
    return [base + i for i in range(count)]


def say(tg: FakeTelegram, chat_id: int, line: str) -> InjectedUpdate:
    if line == PHOTO:
        return tg.user_sends_photo(chat_id, photo(text=f"so do {chat_id}"))
    return tg.user_sends_text(chat_id, line, language_code="vi")


def normalized(messages: Sequence[dict[str, Any]]) -> list[str]:
    """A chat's messages as comparable lines: its own tracking code and ids masked."""
    out = []
    for m in messages:
        body = m.get("text") or m.get("caption") or ("<photo>" if m.get("photo") else "")
        out.append(re.sub(r"\d{6,}", "<n>", CODE.sub("<code>", body)))
    return out


def portal_rows(url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def submissions(portal_url: str) -> Counter[str]:
    """Per citizen, how many times an application of theirs entered 'submitted'."""
    rows = portal_rows(
        portal_url,
        "SELECT a.citizen FROM transitions t JOIN applications a ON a.id = t.application_id"
        " WHERE t.to_status = 'submitted'",
    )
    return Counter(r[0] for r in rows)


def applications(portal_url: str) -> dict[str, list[tuple[str, str]]]:
    """Per citizen, their applications' (id, status)."""
    rows = portal_rows(portal_url, "SELECT citizen, id, status FROM applications ORDER BY id")
    found: dict[str, list[tuple[str, str]]] = {}
    for citizen, app_id, status in rows:
        found.setdefault(citizen, []).append((app_id, status))
    return found


def documents(portal_url: str) -> Counter[str]:
    """Per citizen, the documents of their submitted application."""
    rows = portal_rows(
        portal_url,
        "SELECT a.citizen FROM documents d JOIN applications a ON a.id = d.application_id"
        " WHERE a.status = 'submitted'",
    )
    return Counter(r[0] for r in rows)


def chunks(items: Sequence[str], sizes: Iterator[int]) -> Iterator[list[tuple[int, str]]]:
    """The script cut in bursts (a citizen typing several messages at once)."""
    index = 0
    while index < len(items):
        size = next(sizes)
        yield list(enumerate(items[index : index + size], start=index))
        index += size


async def converse(
    tg: FakeTelegram,
    deliverer: WebhookDeliverer,
    chat_id: int,
    rng: Any,
    *,
    pause: float = 0.05,
    timeout: float = 600,
) -> None:
    """One citizen says the script, in bursts of 1 to 4 messages; the next burst only
    once the previous one was acknowledged (a person reads the answer, then types on)."""
    sizes = iter(lambda: rng.randint(1, 4), None)
    for burst in chunks(SCRIPT, sizes):
        ids = [say(tg, chat_id, line).update_id for _, line in burst]
        try:
            await deliverer.wait_acknowledged(ids, timeout)
        except TimeoutError:
            raise AssertionError(f"chat {chat_id}: updates not acknowledged in time") from None
        await asyncio.sleep(rng.uniform(0, pause))


class Zygote:
    """The fork server of tests/e2e/workers/zygote.py: a worker on a port in the time
    of a fork, not of the imports."""

    def __init__(self, procs: Processes, env: dict[str, str]) -> None:
        self.tmp = procs.tmp
        log = open(self.tmp / "zygote.log", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.workers.zygote"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        log.close()
        procs.started.append(self.process)
        self.workers: list[int] = []

    async def ready(self, timeout: float = 300) -> None:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), timeout)
        assert line.strip() == b"ready", line

    async def fork(self, port: int) -> int:
        """A new worker serving the webhook on ``port``; returns its pid."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{port} {self.tmp / f'worker-{port}.log'}\n".encode())
        self.process.stdin.flush()
        pid = int(await asyncio.to_thread(self.process.stdout.readline))
        self.workers.append(pid)
        return pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
