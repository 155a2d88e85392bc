"""`motcua portal --workers N`: SQLite refused; on PostgreSQL and Redis two real worker
processes serve the API, and the event webhook reaches its consumer once per event
with two workers, also after the pushing worker is killed."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from motcua.cli import main
from portal.db.models import Application, WebhookCursor
from portal.services import events
from portal.services.context import PortalContext
from portal.settings import PortalSettings, get_settings
from portal.webhooks import CURSOR_NAME, LEADER_APP_NAME, LEADER_LOCK
from tests.support.databases import PostgresDatabase, postgres_reachable
from tests.support.processes import (
    ESTABLISHED,
    alive,
    children,
    free_port,
    redis_reachable,
    tcp_sockets,
    wait_until,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
BOT_TOKEN = "workers-bot-token"
EVENT_SECRET = "workers-event-secret"
ROOT = Path(__file__).resolve().parents[2]


def test_more_than_one_worker_on_sqlite_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["portal", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs a PostgreSQL DATABASE_URL" in result.output
    assert not (tmp_path / "portal.sqlite3").exists()  # refused before migrating


def test_workers_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["portal", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_the_workers_run_the_app_factory_without_uvicorns_proxy_headers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each worker builds the app itself; X-Forwarded-For stays the portal's business
    (TRUSTED_PROXIES), as with one process."""
    import uvicorn

    from portal.api.app import create_app
    from portal.workers import APP_FACTORY, KEEP_ALIVE, serve_workers

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    serve_workers("127.0.0.1", 8000, 3)
    assert seen["app"] == APP_FACTORY and seen["factory"] is True and seen["workers"] == 3
    assert seen["proxy_headers"] is False
    assert (seen["http"], seen["loop"]) == ("httptools", "uvloop")
    assert seen["access_log"] is False  # as with one process: nginx logs requests
    # Idle connections are closed by their clients first: aiohttp (15 s), nginx (60 s).
    assert seen["timeout_keep_alive"] == KEEP_ALIVE > 60
    serve_workers("127.0.0.1", 8000, 3, access_log=True)
    assert seen["access_log"] is True
    module, _, name = APP_FACTORY.partition(":")
    assert getattr(importlib.import_module(module), name) is create_app


class Receiver:
    """The event webhook's consumer: checks each body's signature, records the ids."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = hmac.new(EVENT_SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Signature", "")):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                else:
                    receiver.ids.extend(e["id"] for e in json.loads(body)["events"])
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/portal-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _workers(parent: int) -> list[int]:
    """uvicorn's worker processes (multiprocessing children, not its resource tracker)."""
    pids = []
    for pid in children(parent):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            pids.append(pid)
    return pids


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresDatabase]:
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
    if not redis_reachable():
        pytest.skip("no Redis server reachable at 127.0.0.1:6379")
    db = PostgresDatabase()
    db.create()
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def served(
    pg: PostgresDatabase, receiver: Receiver, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str, int]]:
    """`motcua portal --workers 2` on PostgreSQL and Redis, pushing events to the
    receiver; yields the process, its URL and its port."""
    pg.truncate()
    port = free_port()
    env = {
        **os.environ,
        "MOTCUA_ENV": "demo",
        "DATABASE_URL": pg.url,
        "REDIS_URL": REDIS_URL,
        "BOT_SERVICE_TOKEN": BOT_TOKEN,
        "EVENT_WEBHOOK_URL": receiver.url,
        "EVENT_WEBHOOK_SECRET": EVENT_SECRET,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    log = (tmp_path / "portal.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua", "portal", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            assert proc.poll() is None, (tmp_path / "portal.log").read_text()
            try:
                return httpx.get(f"{url}/v1/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until("the portal workers", healthy)
        wait_until("two workers", lambda: len(_workers(proc.pid)) == 2)
        yield proc, url, port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _leader(ctx: PortalContext) -> int | None:
    """The pid of the worker holding the pusher's lock (from its connection's name)."""
    with ctx.engine.connect() as conn:
        name = conn.scalar(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid = 0 AND l.objid = :k"
            ),
            {"k": LEADER_LOCK},
        )
    if not name:
        return None
    assert name.startswith(LEADER_APP_NAME)
    return int(name.rpartition("pid=")[2])


def _append_events(ctx: PortalContext, app_id: str, count: int) -> None:
    with ctx.sessions() as db:
        app = db.get(Application, app_id)
        assert app is not None
        for _ in range(count):
            events.append(db, ctx, "application.test", app)
        db.commit()


def _cursor(ctx: PortalContext) -> int:
    with ctx.sessions() as db:
        row = db.scalar(select(WebhookCursor).where(WebhookCursor.name == CURSOR_NAME))
        return row.last_event_id if row else 0


def test_two_workers_serve_the_api_and_push_each_event_once(
    served: tuple[subprocess.Popen[bytes], str, int], pg: PostgresDatabase, receiver: Receiver
) -> None:
    proc, url, port = served
    workers = _workers(proc.pid)
    headers = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": "telegram:42"}

    # Many requests on many connections at once: all succeed. Right after each round,
    # while its keep-alive connections are open (uvicorn closes idle ones after 5 s),
    # see which worker holds them: both accepted and served some.
    results: list[int] = []
    serving: set[int] = set()

    def call(client: httpx.Client) -> None:
        for _ in range(5):
            results.append(client.get("/v1/procedures", headers=headers).status_code)

    for _ in range(10):
        clients = [httpx.Client(base_url=url, timeout=30) for _ in range(20)]
        try:
            threads = [threading.Thread(target=call, args=(c,)) for c in clients]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            serving |= {pid for pid in workers if tcp_sockets(port, pid, ESTABLISHED)}
        finally:
            for c in clients:
                c.close()
        if len(results) >= 200 and serving == set(workers):
            break
    assert results == [200] * len(results) and len(results) >= 200
    assert serving == set(workers)
    created = httpx.post(
        f"{url}/v1/applications", headers=headers, json={"procedure": "death_registration"}
    )
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    assert all(alive(pid) for pid in workers)

    settings = PortalSettings(database_url=pg.url, bot_service_token=BOT_TOKEN)
    ctx = PortalContext.from_settings(settings)
    try:
        # Exactly one worker pushes: every event arrives once.
        wait_until("a leader", lambda: _leader(ctx) is not None)
        leader = _leader(ctx)
        assert leader in workers
        _append_events(ctx, app_id, 30)
        wait_until("30 events", lambda: len(receiver.ids) >= 30 and _cursor(ctx) == 30)
        time.sleep(1.5)  # a second pusher, if any, would have pushed by now (poll 1 s)
        assert sorted(receiver.ids) == list(range(1, 31))

        # The leader dies: the other worker takes over and carries on from the cursor.
        assert leader is not None
        os.kill(leader, signal.SIGKILL)
        wait_until("a new leader", lambda: _leader(ctx) not in (None, leader))
        _append_events(ctx, app_id, 30)
        wait_until("60 events", lambda: len(receiver.ids) >= 60 and _cursor(ctx) == 60)
        time.sleep(1.5)
        assert Counter(receiver.ids) == Counter(range(1, 61))
        assert receiver.bad_signatures == 0
        # uvicorn's supervisor replaced the killed worker.
        wait_until("a replacement worker", lambda: len(_workers(proc.pid)) == 2)
        assert httpx.get(f"{url}/v1/health").status_code == 200
    finally:
        ctx.engine.dispose()


@pytest.mark.parametrize("choice", ["auto", "named"])
def test_uvicorn_runs_the_portal_on_httptools_and_uvloop(choice: str) -> None:
    """The pinned C parser and loop: named by `motcua portal` and the workers, and what
    uvicorn's "auto" picks for a bare `uvicorn portal.api.app:create_app --factory`."""
    import asyncio

    import uvicorn
    import uvloop
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from portal.workers import HTTP, LOOP

    async def app(scope: Any, receive: Any, send: Any) -> None:  # the choice is the app's
        raise AssertionError("not served")

    http, loop = ("auto", "auto") if choice == "auto" else (HTTP, LOOP)
    config = uvicorn.Config(app, http=http, loop=loop)
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    factory = config.get_loop_factory()
    assert factory is not None
    made: asyncio.AbstractEventLoop = factory()
    try:
        assert isinstance(made, uvloop.Loop)
    finally:
        made.close()
