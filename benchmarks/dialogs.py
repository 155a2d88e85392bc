"""Conversation turns through the real aiogram bot, against an aiogram echo bot.

    .venv/bin/python benchmarks/dialogs.py [--users 50] [--rate 100] [--db sqlite,postgresql]
        [--schedule poisson|burst|poisson,burst] [--workers 1|2|1,2,4]
        [--mode webhook|polling] [--steps] [--no-closed] [--no-echo]

For each database (the bot store and the portal both on it: a fresh SQLite file, or a
fresh PostgreSQL database at TEST_POSTGRES_URL / postgresql://postgres@127.0.0.1:5432/test,
created and dropped here) and each worker count N of `--workers`:

- the portal: uvicorn with N worker processes on the app factory (`motcua portal
  --workers N`; one worker is one process, like `motcua portal`);
- the bot: N processes (this script with `--worker`) in webhook mode, all listening on
  one port with SO_REUSEPORT as `motcua bot --workers N` runs them, sharing per-chat
  locks through Redis (REDIS_URL, default redis://127.0.0.1:6379/0) when N > 1; or,
  with `--mode polling`, one process in long polling;
- this process, the driver: the fake Bot API (tests/fakes, HTTP on loopback), the
  webhook pusher (Telegram's side: updates POSTed over a pool of connections, several
  chats at once, each chat in order) and the simulated users.

Several workers on SQLite are measured (WAL) but are no supported deployment: the CLI
refuses them. The echo floor runs with the first worker count, alone in its processes,
so that the fake's work is not charged to it.

Each simulated user goes through a whole certified-copy application (13-14 turns:
/start, language, the procedure in words, start, consent, five answers, a photo,
"Xong" only if the bot offers it, submit, confirm — the last turn renders two QR
codes, one a VietQR). Per bot and worker count, with fresh users for each schedule:

- open loop: turns are offered at `--rate` per second whatever the answers, as
  Poisson arrivals (default) or, with `--schedule burst`, evenly spaced ticks; each
  arrival takes a user whose previous turn is fully answered (one finding nobody
  ready is counted as late and goes out when someone is): under Poisson any ready
  user, picked at random (seeded), so users drift apart through the flow as real
  citizens do; under `burst` round robin, so they move through the flow together:
  with 50 users at 100 turns/s all 50 submissions reach the portal within the same
  half second;
- closed loop ("capacity"): every user sends its next turn as soon as the previous one
  is answered, and a new user takes the place of each one who submits; the users start
  spread over the flow (user i first runs i/n of it, not counted) and the turns
  answered in 6 s of that steady state are counted: the most turns per second this
  machine gets through, printed with the share of its CPU busy meanwhile. Beside it,
  the same users all starting at once ("lockstep closed loop"): everyone on the same
  step at the same time, which leaves one process's core idle on the steps that do not
  need it, so it reads lower.

A turn's latency runs from its scheduled send time (a late send counts as waiting)
to the LAST bot message for that chat before the user's next update (both on the
fake's clock), so it includes the delivery, the engine, the portal calls and all the
sending. The echo bot runs on the same aiogram stack (Bot, AiohttpSession,
Dispatcher, the same webhook handler or polling) against the same fake, is fed the
same kinds of updates (texts, button presses, photos) and answers each with one text
carrying one button. CPU per turn over each open loop: all the bot's worker processes,
all the portal's processes (uvicorn's supervisor and its workers), PostgreSQL's
backends serving our connections, and the driver, each divided by the turns; "CPU
ceiling" is the cores divided by their sum: the most turns per second the machine
allows whatever the number of workers. "spread" is how the kernel shared the turns
among the bot workers and the CPU among the portal workers. RSS is the bot's
processes' after the phases; the portal's is reported apart. `--steps` prints p50/p99
for each turn of the flow (open loop). The output ends with a markdown table for the
closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from aiogram import Dispatcher, Router  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web  # noqa: E402
from PIL import Image  # noqa: E402

from backend_client import PortalClient  # noqa: E402
from benchmarks.portal import (  # noqa: E402
    BOT,
    PG_ADMIN,
    drop_postgres,
    free_port,
    postgres_url,
)
from bot import eventloop  # noqa: E402
from bot.locks import ChatLocks  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.telegram import TelegramChannel  # noqa: E402
from bot.telegram.app import create_bot  # noqa: E402
from dialogs import Reply  # noqa: E402
from kernel import heap  # noqa: E402
from portal import workers as portal_workers  # noqa: E402
from portal.db.migrate import upgrade as portal_upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.support.images import photo  # noqa: E402

TOKEN = "123456:BENCH"
STEPS = "--steps" in sys.argv
CPU_STEPS = "--cpu-steps" in sys.argv
WARM = 0 if "--no-warm" in sys.argv else 2  # users run before measuring: caches, connections
CLOSED_SECONDS = 6.0  # the steady closed loop's counted window
PHOTO = photo(width=800, height=600)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# One user's whole application: (kind, argument).
FLOW: list[tuple[str, str]] = [
    ("start", ""),
    ("press", "Tiếng Việt"),
    ("text", "chứng thực bản sao giấy tờ"),
    ("press", "Bắt đầu"),
    ("press", "Tôi đồng ý"),
    ("text", "Sổ đỏ"),
    ("text", "3"),
    ("text", "2"),
    ("text", "Lê Thị Mai"),
    ("text", "0905 123 456"),
    ("photo", ""),
    ("press?", "Xong"),  # only if shown: a paper with all its photos goes on by itself
    ("press", "Nộp hồ sơ"),
    ("press", "Có, nộp"),
]
# The five answers to the form's questions ("answer turns", the CPU goal): FLOW
# indices of "Sổ đỏ" .. the phone number.
ANSWER_STEPS = range(FLOW.index(("text", "Sổ đỏ")), FLOW.index(("photo", "")))


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[tuple[int, int], float]:
    """CPU seconds of each live thread of a process, to the nanosecond (/proc/PID/task/
    TID/schedstat; /proc/PID/stat counts 10 ms ticks, too coarse for one step of the
    flow). Compared thread by thread (spent_since), so a worker thread that exits
    between two samples takes only its own time with it (nothing goes negative)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return {}
    out: dict[tuple[int, int], float] = {}
    for task in tasks:
        try:
            out[(pid, int(task.name))] = int((task / "schedstat").read_text().split()[0]) / 1e9
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
    return out


def fine_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process's live threads (thread_cpu), summed."""
    return sum(thread_cpu(pid).values())


def process_tree(pids: list[int]) -> list[int]:
    """The processes and all their descendants (uvicorn's workers under its supervisor)."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children[parent].append(int(entry.name))
    out, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def tree_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each process of the trees rooted at `pids`."""
    return {pid: cpu_seconds(pid) for pid in process_tree(pids)}


def postgres_backends(urls: list[str]) -> list[int]:
    """The server processes serving our connections to these databases (PostgreSQL on
    this machine): their CPU is the database's share of a turn. The server's shared
    processes (WAL writer, checkpointer) serve other users too and are left out."""
    if not urls:
        return []
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return backends_of(conn, urls)


def backends_of(conn: psycopg.Connection[Any], urls: list[str]) -> list[int]:
    """postgres_backends over an open admin connection (its own backend left out)."""
    names = [url.rsplit("/", 1)[1] for url in urls]
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
        (names,),
    ).fetchall()
    return [int(pid) for (pid,) in rows]


def cpu_spent(before: dict[int, float], pids: list[int]) -> dict[int, float]:
    """CPU seconds spent since `before`, per process (one started since counts whole)."""
    return {pid: cpu - before.get(pid, 0.0) for pid, cpu in tree_cpu(pids).items()}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class TurnCounter:
    """Turns whose replies have all been sent, per chat."""

    def __init__(self) -> None:
        self.done: defaultdict[int, int] = defaultdict(int)
        self.waiters: dict[int, asyncio.Future[None]] = {}

    def finished(self, chat_id: int) -> None:
        self.done[chat_id] += 1
        waiter = self.waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, chat_id: int, count: int, timeout: float = 60) -> None:
        loop = asyncio.get_running_loop()
        while self.done[chat_id] < count:
            future = loop.create_future()
            self.waiters[chat_id] = future
            # A timer rather than wait_for (a task and more per turn, in the driver's CPU).
            timer = loop.call_later(timeout, expire, future)
            try:
                await future
            finally:
                timer.cancel()


def expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(TimeoutError("no answer in time"))


@dataclass
class RunningBot:
    """A bot in its own process(es): one in long polling, or N webhook workers on one
    port; each finished turn comes back as a line on a worker's stdout."""

    name: str
    procs: list[asyncio.subprocess.Process]
    turns: TurnCounter
    readers: list[asyncio.Task[None]]
    per_worker: list[int]  # finished turns per worker process: how the kernel spread them
    pusher: WebhookPusher | None = None

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs]

    async def close(self) -> None:
        if self.pusher is not None:
            await self.pusher.stop()
        for proc in self.procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in self.procs:
            await proc.wait()
        await asyncio.gather(*self.readers)


def chat_of(update: dict[str, Any]) -> int:
    """The chat an update belongs to (a button press: the chat of its message)."""
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    query = update["callback_query"]
    source = query.get("message")
    return int(source["chat"]["id"] if source else query["from"]["id"])


class WebhookPusher:
    """Telegram's side of webhook mode: updates POSTed to the bot's URL over
    `connections` kept-alive connections (Telegram's default max_connections is 40),
    several chats at once, each chat's updates one after the other (the next once the
    previous is answered 2xx, retried until it is). The fake's own webhook delivery
    posts one update at a time for all chats, which would make it the bottleneck here.

    The kernel spreads connections, not requests, over the workers sharing the port
    (SO_REUSEPORT). One pool would reuse its few busy connections and leave workers
    idle (measured: 59/0/0/41 of the turns over 4 workers), so each chat keeps to one of
    `connections` one-connection lanes, each kept open once used, as Telegram keeps its
    connections; how evenly the kernel hashed them is the "spread" column."""

    def __init__(self, tg: FakeTelegram, url: str, connections: int = 40) -> None:
        self.tg = tg
        self.url = url
        self.connections = connections
        self.pending: dict[int, deque[dict[str, Any]]] = {}
        self.draining: set[asyncio.Task[None]] = set()
        self.failures = 0
        self._lanes: list[Lane] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> WebhookPusher:
        self._lanes = [Lane(self.url) for _ in range(self.connections)]
        self._task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        for task in [self._task, *self.draining]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *(t for t in [self._task, *self.draining] if t is not None), return_exceptions=True
        )
        for lane in self._lanes:
            lane.drop()

    async def _run(self) -> None:
        while True:
            batch = self.tg.take_updates(100)
            if not batch:
                await self.tg.updates_signal.wait(1.0)
                continue
            self.tg.confirm_updates(batch[-1]["update_id"] + 1)  # ours to deliver now
            for update in batch:
                chat = chat_of(update)
                queue = self.pending.get(chat)
                if queue is not None:  # a delivery for this chat is under way: after it
                    queue.append(update)
                    continue
                self.pending[chat] = deque([update])
                task = asyncio.create_task(self._drain(chat))
                self.draining.add(task)
                task.add_done_callback(self.draining.discard)

    async def _drain(self, chat: int) -> None:
        queue = self.pending[chat]
        lane = self._lanes[chat % len(self._lanes)]
        try:
            while queue:
                body = json.dumps(queue[0]).encode()  # as aiohttp's json= encodes it
                while not 200 <= await lane.post(body) < 300:
                    self.failures += 1
                    await asyncio.sleep(0.05)
                queue.popleft()
        finally:
            del self.pending[chat]


class Lane:
    """One kept-alive HTTP/1.1 connection to the webhook, one request at a time: the
    request written in one piece, the answer's status read and its body skipped.
    aiohttp's client did the same for ~3x the CPU (a timeout, a request and a response
    object, cookie and redirect handling per POST), charged to the cores the bot and
    the portal share here; the bot gets the same POST (the JSON body as `json=`
    encoded it, Content-Type application/json). Returns 0 when the connection failed
    (it is dropped and the next post opens a new one)."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.timeout = timeout
        self.head = (
            f"POST {parsed.path or '/'} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()
        self.lock = asyncio.Lock()  # two chats may share a lane: one request at a time
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def drop(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def post(self, body: bytes) -> int:
        async with self.lock:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(body)
            except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
                self.drop()  # ValueError: a malformed answer, or LimitOverrunError
                return 0

    async def _exchange(self, body: bytes) -> int:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader = self.reader
        self.writer.write(self.head + b"%d\r\n\r\n" % len(body) + body)
        lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        version, status = lines[0].split(b" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
        elif b"content-length" in headers:
            await reader.readexactly(int(headers[b"content-length"]))
        elif int(status) not in (204, 304):  # the body runs to the end of the connection
            await reader.read()
            headers[b"connection"] = b"close"
        if headers.get(b"connection") == b"close" or version == b"HTTP/1.0":
            self.drop()
        return int(status)


async def start_bot(
    name: str,
    tg: FakeTelegram,
    portal_url: str = "",
    store_url: str = "",
    *,
    workers: int = 1,
    mode: str = "webhook",
    redis_url: str = "",
) -> RunningBot:
    """`workers` processes of the bot: in webhook mode all listening on one port
    (SO_REUSEPORT, as `motcua bot --workers N` runs them) and fed by a WebhookPusher;
    in long polling (one process only) reading getUpdates from the fake."""
    if mode == "polling" and workers != 1:
        raise ValueError("long polling is one process: one reader of getUpdates")
    port = free_port() if mode == "webhook" else 0
    turns = TurnCounter()
    per_worker = [0] * workers
    procs: list[asyncio.subprocess.Process] = []
    readers: list[asyncio.Task[None]] = []
    readies: list[asyncio.Future[None]] = []
    for index in range(workers):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            name,
            "--api-base",
            tg.api_base,
            "--portal-url",
            portal_url,
            "--store-url",
            store_url,
            "--webhook-port",
            str(port),
            "--redis-url",
            redis_url,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        ready = asyncio.get_running_loop().create_future()

        async def read(stream: asyncio.StreamReader, ready: asyncio.Future[None], i: int) -> None:
            while line := await stream.readline():
                word, _, arg = line.decode().strip().partition(" ")
                if word == "turn":
                    turns.finished(int(arg))
                    per_worker[i] += 1
                elif word == "ready" and not ready.done():
                    ready.set_result(None)
            if not ready.done():
                ready.set_exception(RuntimeError(f"{name} bot exited before it was ready"))

        procs.append(proc)
        readies.append(ready)
        readers.append(asyncio.create_task(read(proc.stdout, ready, index)))
    bot = RunningBot(name, procs, turns, readers, per_worker)
    try:
        await asyncio.wait_for(asyncio.gather(*readies), 180)
        if mode == "webhook":
            bot.pusher = await WebhookPusher(tg, f"http://127.0.0.1:{port}/webhook").start()
    except BaseException:
        await bot.close()
        raise
    return bot


def await_rows(main: Coroutine[Any, Any, list[Row]]) -> list[Row]:
    """run_loop for a coroutine with a result."""
    out: list[Row] = []

    async def keep() -> None:
        out.extend(await main)

    run_loop(keep())
    return out


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on the event loop `motcua bot` runs on (bot.eventloop: uvloop). The
    driver runs on the same: its CPU shares the cores with the bot's and the portal's."""
    eventloop.run(main)


def portal_server() -> list[str]:
    """The HTTP protocol and loop `motcua portal` names for uvicorn (portal.workers),
    as command-line options."""
    return ["--http", portal_workers.HTTP, "--loop", portal_workers.LOOP]


def servers() -> str:
    """What the processes run on here (run_loop, portal_server)."""
    return f"bot and driver on uvloop, portal on {portal_workers.HTTP} + {portal_workers.LOOP}"


def report_turn(chat_id: int) -> None:
    sys.stdout.write(f"turn {chat_id}\n")
    sys.stdout.flush()


async def serve(dispatcher: Dispatcher, bot: Any, webhook_app: Any, webhook_port: int) -> None:
    """Long polling (port 0), or the webhook app on a port shared with the other
    workers (SO_REUSEPORT, like `motcua bot --workers N`); "ready" once serving. Both
    bots' start-up heaps are frozen, as `motcua bot` does (kernel.heap)."""
    heap.settle()
    if not webhook_port:
        dispatcher.startup.register(lambda: print("ready", flush=True))
        await dispatcher.start_polling(bot, polling_timeout=10)
        return
    runner = web.AppRunner(webhook_app)
    await runner.setup()  # runs the dispatcher's startup (getMe, the commands menu)
    site = web.TCPSite(runner, "127.0.0.1", webhook_port, reuse_port=True)
    await site.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def worker_ours(
    api_base: str, portal_url: str, store_url: str, webhook_port: int, redis_url: str
) -> None:
    store = Store(store_url)  # migrated once by the driver, before the workers start
    backend = PortalClient(portal_url, BOT)
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=api_base)
    # Several workers serialise a chat through Redis, as in production; the prefix
    # keeps this run's locks apart from anyone else's on the same Redis.
    locks = ChatLocks.from_url(redis_url or None, prefix=f"motcua-bench:{os.getppid()}:chat:")
    channel = TelegramChannel.build(
        settings, backend=backend, store=store, locks=locks, album_delay=0.2
    )
    sender = channel.handlers.sender
    original = sender.send

    async def send(chat_id: int, key: str, replies: list[Reply]) -> bool:
        try:
            return await original(chat_id, key, replies)
        finally:
            report_turn(chat_id)

    sender.send = send  # type: ignore[method-assign]
    try:
        app = channel.webhook_app() if webhook_port else None
        await serve(channel.dispatcher, channel.bot, app, webhook_port)
    finally:
        await channel.bot.session.close()
        await backend.aclose()
        await locks.aclose()
        store.close()


async def worker_echo(api_base: str, webhook_port: int) -> None:
    bot = create_bot(TOKEN, api_base)
    router = Router()

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="ok")]]
    )

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "ok", reply_markup=keyboard)
        report_turn(message.chat.id)

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, query.data or "ok", reply_markup=keyboard)
            report_turn(query.message.chat.id)

    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.include_router(router)
    app = None
    if webhook_port:  # the same aiogram webhook handler as ours (TelegramChannel.webhook_app)
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

        app = web.Application()
        SimpleRequestHandler(dispatcher=dispatcher, bot=bot).register(app, path="/webhook")
        setup_application(app, dispatcher, bot=bot)
    try:
        await serve(dispatcher, bot, app, webhook_port)
    finally:
        await bot.session.close()


@dataclass
class User:
    """One simulated citizen. `step` is the position in FLOW; `sent` counts the turns
    actually sent (an optional press that is not offered is skipped, not sent), which
    is what the bot's finished-turn count is compared with."""

    chat_id: int
    echo: bool
    step: int = 0
    sent: int = 0
    injected_at: list[float] = field(default_factory=list)  # the latency clock's start
    queued_at: list[float] = field(default_factory=list)  # when the update was queued
    steps: list[int] = field(default_factory=list)  # FLOW index of each sent turn

    @property
    def finished(self) -> bool:
        return self.step >= len(FLOW)

    def skip_unoffered(self, tg: FakeTelegram) -> None:
        """Step over optional presses the bot does not offer (it already moved on)."""
        while not self.finished:
            kind, arg = FLOW[self.step]
            if kind != "press?" or find_button(tg, self.chat_id, arg, self.echo, True):
                return
            self.step += 1

    def inject(self, tg: FakeTelegram, at: float | None = None) -> None:
        """Send the next turn; `at` is when it was scheduled (the latency clock starts
        there, so a late send counts as waiting), else the moment it is queued."""
        self.skip_unoffered(tg)
        if self.finished:
            raise RuntimeError(f"chat {self.chat_id}: nothing left to send")
        kind, arg = FLOW[self.step]
        chat = self.chat_id
        if kind == "start":
            injected = tg.user_starts(chat, language_code="vi")
        elif kind == "text":
            injected = tg.user_sends_text(chat, arg)
        elif kind == "photo":
            injected = tg.user_sends_photo(chat, PHOTO)
        else:
            injected = press(tg, chat, arg, self.echo)
        self.injected_at.append(injected.time if at is None else min(at, injected.time))
        self.queued_at.append(injected.time)
        self.steps.append(self.step)
        self.step += 1
        self.sent += 1


def find_button(
    tg: FakeTelegram, chat: int, label: str, echo: bool, latest_only: bool = False
) -> Any:
    """The newest bot button whose text holds `label` (the echo bot's one button for
    any label), as (message_id, callback_data); None if there is none, or with
    `latest_only` if the bot's latest message with buttons does not offer it."""
    for stored in reversed(tg.chat_log.get(chat, [])):
        if stored.sender != "bot":
            continue
        rows = (stored.reply_markup or {}).get("inline_keyboard", [])
        if not rows:
            continue
        for row in rows:
            for button in row:
                if echo or label in button.get("text", ""):
                    return stored.message["message_id"], button["callback_data"]
        if latest_only:
            return None
    return None


def press(tg: FakeTelegram, chat: int, label: str, echo: bool = False) -> Any:
    found = find_button(tg, chat, label, echo)
    if found is None:
        said = [
            f"{m.sender}: {str(m.message.get('text') or m.message.get('caption') or '')[:60]!r}"
            for m in tg.chat_log.get(chat, [])[-6:]
        ]
        raise RuntimeError(f"chat {chat}: no button {label!r}; the chat's last messages: {said}")
    message_id, data = found
    return tg.user_presses_button(chat, message_id, data)


def turn_latencies(tg: FakeTelegram, user: User) -> list[tuple[int, float]]:
    """(FLOW index, latency) of each sent turn: from its start (the scheduled time) to
    the LAST bot message for the chat before the user's next update was queued (one
    turn in flight per user, and the next goes only once the turn is fully answered)."""
    sent = [s.time for s in tg.chat_log.get(user.chat_id, []) if s.sender == "bot"]
    out: list[tuple[int, float]] = []
    for i, (start, queued) in enumerate(zip(user.injected_at, user.queued_at, strict=True)):
        end = user.queued_at[i + 1] if i + 1 < len(user.queued_at) else float("inf")
        answers = [t for t in sent if queued <= t < end]
        if answers:
            out.append((user.steps[i], answers[-1] - start))
    return out


def latencies(tg: FakeTelegram, users: list[User], step: int | None = None) -> list[float]:
    """Latencies of all sent turns, or of those at FLOW index `step`."""
    return [
        lat
        for user in users
        for index, lat in turn_latencies(tg, user)
        if step is None or index == step
    ]


SUBMIT_STEP = len(FLOW) - 1  # "Có, nộp": the portal submits, the bot renders two QR codes


def print_steps(tg: FakeTelegram, users: list[User]) -> None:
    """p50/p99 of each turn of the flow (``--steps``): where the time goes."""
    for index, (kind, arg) in enumerate(FLOW):
        one = latencies(tg, users, index)
        print(
            f"  turn {index + 1:>2} {kind:<6}{arg[:22]:<23}"
            f"p50 {pct(one, 0.5):7.1f}  p99 {pct(one, 0.99):7.1f} ms"
        )


def schedule(n: int, rate: float, kind: str, seed: int = 15) -> list[float]:
    """Offsets in seconds of `n` sends at `rate` per second: "poisson" (independent
    arrivals, exponential gaps, seeded; each send goes to a ready user picked at random,
    see open_loop) or "burst" (evenly spaced ticks, users taking turns round robin so
    they move through the flow in lockstep)."""
    if kind == "burst":
        return [k / rate for k in range(n)]
    rng = random.Random(seed)
    out, t = [], 0.0
    for _ in range(n):
        out.append(t)
        t += rng.expovariate(rate)
    return out


async def open_loop(
    tg: FakeTelegram, bot: RunningBot, users: list[User], rate: float, kind: str = "poisson"
) -> int:
    """Offer turns at `rate` per second; returns how many ticks found nobody ready.
    A turn's clock starts at its scheduled time, so a send held back (nobody ready,
    or this loop late) counts as waiting."""
    ready: deque[User] = deque(users)
    pick = random.Random(16)
    wake = asyncio.Event()
    pending: set[asyncio.Task[None]] = set()
    late = 0

    async def answered(user: User) -> None:
        await bot.turns.wait(user.chat_id, user.sent)
        if not user.finished:
            ready.append(user)
        wake.set()

    # Optional presses not offered are skipped; offered ones add to the run.
    total = sum(1 for u in users for kind_, _ in FLOW[u.step :] if kind_ != "press?")
    offsets = schedule(total, rate, kind)
    start = time.monotonic()
    k = 0
    while any(not u.finished for u in users):
        at = start + (offsets[k] if k < len(offsets) else offsets[-1] + (k - total + 1) / rate)
        k += 1
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if not ready:
            late += 1
            while not ready and not all(u.finished for u in users):
                wake.clear()
                await wake.wait()
            if not ready:
                break
        # Poisson: the next turn is any ready citizen's (seeded), so citizens drift apart
        # through the flow as real ones do; burst: round robin, everyone in lockstep (all
        # fifty submits, the dearest turn, land within a couple of seconds).
        if kind == "burst":
            user = ready.popleft()
        else:
            user = ready[pick.randrange(len(ready))]
            ready.remove(user)
        user.inject(tg, at)
        task = asyncio.create_task(answered(user))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return late


async def closed_loop(tg: FakeTelegram, bot: RunningBot, users: list[User]) -> float:
    """Every user as fast as the bot answers, all starting together (lockstep: the
    same step for everyone at once); returns turns per second."""

    async def run(user: User) -> None:
        while not user.finished:
            user.inject(tg)
            await bot.turns.wait(user.chat_id, user.sent)

    start = time.monotonic()
    before = sum(u.sent for u in users)
    await asyncio.gather(*(run(u) for u in users))
    return (sum(u.sent for u in users) - before) / (time.monotonic() - start)


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all cores so far, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


async def steady_loop(
    tg: FakeTelegram, bot: RunningBot, base: int, n: int, echo: bool, seconds: float
) -> tuple[float, float]:
    """Capacity: `n` citizens, each sending its next turn as soon as its last one is
    answered, and a new citizen taking the place of each one who submits, counted over
    `seconds` of steady state. Citizen i first runs i/n of the flow (not counted), so
    that from the start the citizens are spread over the flow, as the Poisson schedule
    spreads them, instead of all doing the same step at once: in lockstep (`closed_loop`)
    the steps that need only the bot leave the portal's core idle, and the submits
    leave the bot's idle. Returns turns per second and the share of the machine's
    CPU busy meanwhile (all processes): near 100% means the figure is the CPU's limit."""
    ids = iter(range(base, base + 40_000))
    users = [User(next(ids), echo) for _ in range(n)]

    async def advance(user: User, turns: int) -> None:
        for _ in range(turns):
            user.inject(tg)
            await bot.turns.wait(user.chat_id, user.sent)

    await asyncio.gather(*(advance(u, i * (len(FLOW) - 1) // n) for i, u in enumerate(users)))
    answered = 0
    stop = time.monotonic() + seconds

    async def run(user: User) -> None:
        nonlocal answered
        while time.monotonic() < stop:
            user.skip_unoffered(tg)
            if user.finished:
                user = User(next(ids), echo)
            user.inject(tg)
            await bot.turns.wait(user.chat_id, user.sent)
            if time.monotonic() <= stop:
                answered += 1

    busy0, total0 = machine_busy()
    await asyncio.gather(*(run(u) for u in users))
    busy1, total1 = machine_busy()
    return answered / seconds, (busy1 - busy0) / max(1, total1 - total0)


@dataclass
class Row:
    db: str
    bot: str
    offered: float
    late: int
    p50: float
    p99: float
    tps: float  # lockstep closed loop
    rss: float
    completed: int
    schedule: str = "poisson"
    submit_p99: float = float("nan")
    cpu_bot_ms: float = float("nan")  # per turn of the open loop, all bot workers
    cpu_portal_ms: float = float("nan")  # all portal processes (supervisor and workers)
    cpu_db_ms: float = float("nan")  # PostgreSQL's backends serving the bot and the portal
    cpu_driver_ms: float = float("nan")  # this process: the fake Telegram, pusher, users
    rss_portal: float = float("nan")
    workers: int = 1
    mode: str = "webhook"
    spread: str = ""  # the bot workers' shares of the turns, the portal workers' of its CPU
    users: int = 0
    steps: list[StepCPU] = field(default_factory=list)  # --cpu-steps: CPU per turn by step
    capacity: float = float("nan")  # steady closed loop, citizens spread over the flow
    busy: float = float("nan")  # the machine's CPU busy share during it

    def answer_cpu(self) -> StepCPU | None:
        """Mean CPU per turn over the five answer turns (--cpu-steps), or None."""
        answers = [s for s in self.steps if s.index in ANSWER_STEPS and s.turns]
        if not answers:
            return None
        n = len(answers)
        return StepCPU(
            -1,
            sum(s.turns for s in answers),
            sum(s.bot for s in answers) / n,
            sum(s.portal for s in answers) / n,
            sum(s.db for s in answers) / n,
            sum(s.driver for s in answers) / n,
        )


@dataclass
class StepCPU:
    """CPU per turn (ms) of one step of the flow, all users at that step (--cpu-steps)."""

    index: int  # in FLOW
    turns: int
    bot: float
    portal: float  # NaN without a portal (the echo floor)
    db: float  # NaN unless PostgreSQL
    driver: float


def ceiling(row: Row) -> float:
    """Turns per second this machine's cores allow at the row's CPU per turn: the bot,
    the portal, PostgreSQL's backends and the driver (the fake Telegram and the users,
    which share the cores here) all busy at once; more workers cannot pass it."""
    parts = [row.cpu_bot_ms, row.cpu_portal_ms, row.cpu_db_ms, row.cpu_driver_ms]
    total = sum(p for p in parts if p == p)  # NaN: not measured (SQLite, the echo floor)
    return (os.cpu_count() or 1) * 1000 / total if total > 0 else float("nan")


def shares(values: list[float]) -> str:
    total = sum(values)
    if len(values) < 2 or total <= 0:
        return ""
    return "/".join(f"{100 * v / total:.0f}" for v in values)


Threads = dict[tuple[int, int], float]  # (pid, tid) -> CPU seconds: thread_cpu


class CpuSampler:
    """CPU seconds so far of the bot's processes, the portal's, PostgreSQL's backends
    serving our databases (through one admin connection kept open) and this driver."""

    def __init__(self, bot: RunningBot, portal: list[int], databases: list[str]) -> None:
        # The processes are found once: scanning /proc at every step would be the
        # driver's biggest cost in the window.
        self.bot = process_tree(bot.pids)
        self.portal = process_tree(portal)
        self.databases = databases
        self.conn = psycopg.connect(PG_ADMIN, autocommit=True) if databases else None

    def sample(self, start: bool) -> tuple[Threads, Threads, Threads, Threads]:
        """The driver's own time is read last at a step's start and first at its end,
        so that the sampling itself stays out of the driver's share."""
        driver = {} if start else thread_cpu(os.getpid())
        db: Threads = {}
        if self.conn is not None:
            for pid in backends_of(self.conn, self.databases):
                db.update(thread_cpu(pid))
        bot: Threads = {}
        for pid in self.bot:
            bot.update(thread_cpu(pid))
        portal: Threads = {}
        for pid in self.portal:
            portal.update(thread_cpu(pid))
        return bot, portal, db, thread_cpu(os.getpid()) if start else driver

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def spent_since(before: Threads, after: Threads) -> float:
    """CPU seconds between two samples (a thread started since counts whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


async def stepped(
    tg: FakeTelegram,
    bot: RunningBot,
    users: list[User],
    rate: float,
    portal: list[int],
    databases: list[str],
) -> list[StepCPU]:
    """CPU per turn of each step of the flow (``--cpu-steps``): all users send step k
    (paced at `rate`), every answer is awaited, then the processes' CPU is read, and
    only then does step k+1 start; no latency is claimed. A step nobody is offered
    (the optional "Xong") has no turns."""
    sampler = CpuSampler(bot, portal, databases)
    out: list[StepCPU] = []
    try:
        for index in range(len(FLOW)):
            bot0, portal0, db0, driver0 = sampler.sample(start=True)
            start = time.monotonic()
            sent: list[User] = []
            for user in users:
                user.skip_unoffered(tg)
                if user.step != index:
                    continue
                delay = start + len(sent) / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                user.inject(tg)
                sent.append(user)
            await asyncio.gather(*(bot.turns.wait(u.chat_id, u.sent) for u in sent))
            bot1, portal1, db1, driver1 = sampler.sample(start=False)
            n = max(1, len(sent))
            out.append(
                StepCPU(
                    index,
                    len(sent),
                    spent_since(bot0, bot1) / n * 1000,
                    spent_since(portal0, portal1) / n * 1000 if portal else float("nan"),
                    spent_since(db0, db1) / n * 1000 if databases else float("nan"),
                    spent_since(driver0, driver1) / n * 1000,
                )
            )
    finally:
        sampler.close()
    return out


async def measure(
    tg: FakeTelegram,
    bot: RunningBot,
    db: str,
    n: int,
    rate: float,
    base: int,
    kinds: tuple[str, ...] = ("poisson",),
    portal_pid: int | None = None,
    closed: bool = True,
    databases: list[str] | None = None,
) -> list[Row]:
    """One row per schedule in `kinds` (each with its own users), then the closed loop."""
    echo = bot.name == "echo"
    warm = [User(base + 900 + i, echo) for i in range(WARM)]
    await closed_loop(tg, bot, warm)  # catalog cache, NLU, connections
    portal = [portal_pid] if portal_pid is not None else []
    rows: list[Row] = []
    for k, kind in enumerate(kinds):
        users = [User(base + 1000 * k + i, echo) for i in range(n)]
        before_bot, before_portal = tree_cpu(bot.pids), tree_cpu(portal)
        before_db = {pid: cpu_seconds(pid) for pid in postgres_backends(databases or [])}
        before_driver = cpu_seconds(os.getpid())
        turns_before = list(bot.per_worker)
        late = await open_loop(tg, bot, users, rate, kind)
        turns = max(1, sum(u.sent for u in users))
        spent_bot = cpu_spent(before_bot, bot.pids)
        spent_portal = cpu_spent(before_portal, portal)
        spent_driver = cpu_seconds(os.getpid()) - before_driver
        backends = postgres_backends(databases or [])
        spent_db = sum(cpu_seconds(pid) - before_db.get(pid, 0.0) for pid in backends)
        lat = latencies(tg, users)
        submit = latencies(tg, users, SUBMIT_STEP)
        if STEPS and not echo:
            print(f"{db}, {bot.name}, {len(bot.procs)} worker(s), {kind}:")
            print_steps(tg, users)
        done = sum(1 for u in users if echo or submitted(tg, u.chat_id))
        rss = sum(rss_mb(pid) for pid in bot.pids)
        row = Row(db, bot.name, rate, late, pct(lat, 0.5), pct(lat, 0.99), float("nan"), rss, done)
        row.schedule = kind
        row.submit_p99 = pct(submit, 0.99)
        row.cpu_bot_ms = sum(spent_bot.values()) / turns * 1000
        row.cpu_portal_ms = sum(spent_portal.values()) / turns * 1000 if portal else float("nan")
        row.cpu_db_ms = spent_db / turns * 1000 if databases else float("nan")
        row.cpu_driver_ms = spent_driver / turns * 1000
        row.workers = len(bot.procs)
        row.mode = "polling" if bot.pusher is None else "webhook"
        row.users = n
        bot_share = shares(
            [float(b - a) for a, b in zip(turns_before, bot.per_worker, strict=True)]
        )
        # The portal's busy processes (its supervisor idles): how its workers shared the load.
        busy = sorted((cpu for cpu in spent_portal.values() if cpu > 0.05), reverse=True)
        portal_share = shares(busy) if len(busy) > 1 else ""
        row.spread = " ".join(
            part
            for part in (
                bot_share and f"bot {bot_share}",
                portal_share and f"portal {portal_share}",
            )
            if part
        )
        rows.append(row)
    if CPU_STEPS:
        lockstep = [User(base + 1000 * len(kinds) + i, echo) for i in range(n)]
        steps = await stepped(tg, bot, lockstep, rate, portal, databases or [])
        for row in rows:
            row.steps = steps
    if closed:
        capacity, busy = await steady_loop(tg, bot, base + 50_000, n, echo, CLOSED_SECONDS)
        burst = [User(base + 500 + i, echo) for i in range(n)]
        tps = await closed_loop(tg, bot, burst)
        for row in rows:
            row.tps, row.capacity, row.busy = tps, capacity, busy
    return rows


def light_photo_ladders(tg: FakeTelegram) -> None:
    """The fake builds Telegram's ladder of downscaled copies for every photo it
    receives: Pillow decodes and re-encodes it in the fake's event loop (~4-7 ms).
    Telegram does that on its own servers, in parallel, without holding up anyone's
    other requests; here it would stall the fake — the "Telegram" of this run — and
    its delay would count as ours. So the users' photo (the same picture for all) is
    laddered once, and the bot's own QR photos are kept at their one size, read from
    the image header."""
    ladder = tg.files.photo
    cache: dict[bytes, Any] = {}

    def photo(data: bytes) -> Any:
        if data == PHOTO:
            if data not in cache:
                cache[data] = ladder(data)
            return cache[data]
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
        original = tg.files.add("photo", data, extension="jpg", width=width, height=height)
        return original, [tg.files.photo_size(original)]

    tg.files.photo = photo  # type: ignore[method-assign]


def submitted(tg: FakeTelegram, chat: int) -> bool:
    """A submitted certified copy ends with two QR photos: the deep link and the VietQR."""
    photos = [m for m in tg.chat_log.get(chat, []) if m.sender == "bot" and m.file is not None]
    return len(photos) >= 2


def start_portal_workers(
    db_url: str, workdir: Path, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    """The portal as uvicorn with `workers` processes on the app factory (what `motcua
    portal --workers N` runs; one worker is a single process, like `motcua portal`). The
    database is migrated before. Several workers on SQLite share the file through WAL:
    measured here, but not a supported deployment (the CLI refuses it)."""
    port = free_port()
    env = os.environ | {
        "MOTCUA_ENV": "demo",  # the benchmark's short token is no production secret
        "DATABASE_URL": db_url,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "BOT_SERVICE_TOKEN": BOT,
        "TRACK_RATE_PER_MINUTE": "100000000",
    }
    # proxy headers off, a 10 s graceful stop, the keep-alive, the protocol and loop it
    # names and no access log, as `motcua portal` runs uvicorn.
    command = [sys.executable, "-m", "uvicorn", "portal.api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--no-proxy-headers", "--timeout-graceful-shutdown", "10", *portal_server()]
    command += ["--timeout-keep-alive", str(portal_workers.KEEP_ALIVE)]
    command += ["--no-access-log"]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded 2-core machine: imports take a minute
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the portal exited at start")
        try:
            up = httpx.get(base + "/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            up = False
        # Every worker started (the supervisor's children), not just the first one up.
        if up and (workers == 1 or len(process_tree([proc.pid])) > workers):
            if workers > 1:
                time.sleep(3)  # the last ones to import: let them reach accept()
            return proc, base
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("portal did not start")


def stop_portal(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print("the portal did not stop within 30 s: killed", file=sys.stderr)
        proc.kill()
        proc.wait()


def redis_reachable(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


async def run_db(
    db: str,
    n: int,
    rate: float,
    workdir: Path,
    kinds: tuple[str, ...] = ("poisson",),
    closed: bool = True,
    echo: bool = True,
    counts: tuple[int, ...] = (1,),
    mode: str = "webhook",
    redis_url: str = REDIS_URL,
) -> list[Row]:
    """For each worker count: a fresh portal with that many workers and as many bot
    workers, on the same two databases (each count with its own chats); then the echo
    floor with the first count."""
    created: list[str] = []
    if db == "sqlite":
        portal_db = f"sqlite:///{workdir / 'portal.sqlite3'}"
        store_db = f"sqlite:///{workdir / 'bot.sqlite3'}"
    else:
        a, b = postgres_url(), postgres_url()
        if a is None or b is None:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
            return []
        portal_db, store_db = a, b
        created = [a, b]
    portal_upgrade(portal_db)
    Store.migrated(store_db).close()  # once, before the workers open it
    rows: list[Row] = []
    try:
        async with FakeTelegram() as tg:
            light_photo_ladders(tg)
            for k, workers in enumerate(counts):
                redis = redis_url if workers > 1 else ""  # one worker: in-process locks
                if redis and not redis_reachable(redis):
                    print(f"Redis not reachable at {redis}: {workers} workers skipped")
                    continue
                proc, portal_url = start_portal_workers(portal_db, workdir / str(k), workers)
                try:
                    ours = await start_bot(
                        "motcua",
                        tg,
                        portal_url,
                        store_db,
                        workers=workers,
                        mode=mode,
                        redis_url=redis,
                    )
                    try:
                        base = 1_000_000 + 100_000 * k
                        found = await measure(
                            tg, ours, db, n, rate, base, kinds, proc.pid, closed, created
                        )
                    finally:
                        await ours.close()
                    rss_portal = sum(rss_mb(pid) for pid in process_tree([proc.pid]))
                finally:
                    stop_portal(proc)
                for row in found:
                    row.rss_portal = rss_portal
                rows.extend(found)
            if echo:
                floor = await start_bot("echo", tg, workers=counts[0], mode=mode)
                try:
                    rows += await measure(tg, floor, db, n, rate, 2_000_000, kinds, None, closed)
                finally:
                    await floor.close()
    finally:
        for url in created:
            drop_postgres(url)
    return rows


def table(rows: list[Row]) -> str:
    head = (
        f"{'db':<11}{'bot':<7}{'workers':>8} {'mode':<8}{'schedule':<9}{'offered/s':>10}"
        f"{'late':>6}{'p50 ms':>9}{'p99 ms':>9}{'submit p99':>11}{'CPU/turn bot':>13}"
        f"{'portal':>8}{'pg':>6}{'max turns/s':>13}{'lockstep':>10}{'RSS MB':>8}{'done':>8}"
        "  spread %"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.db:<11}{r.bot:<7}{r.workers:>8} {r.mode:<8}{r.schedule:<9}{r.offered:>10.0f}"
            f"{r.late:>6}{r.p50:>9.1f}{r.p99:>9.1f}{r.submit_p99:>11.1f}{r.cpu_bot_ms:>13.2f}"
            f"{r.cpu_portal_ms:>8.2f}{r.cpu_db_ms:>6.2f}{r.capacity:>13.1f}{r.tps:>10.1f}{r.rss:>8.0f}"
            f"{f'{r.completed}/{r.users}':>8}"
            f"  {r.spread}"
        )
    floor = {r.db: r for r in rows if r.bot == "echo" and r.schedule == rows[0].schedule}
    for r in rows:
        echo = floor.get(r.db)
        if r.bot == "motcua" and r.schedule == rows[0].schedule and echo is not None:
            ratio = r.p99 / echo.p99 if echo.p99 else float("inf")
            lines.append(
                f"{r.db}, {r.workers} worker(s): p99 ours/echo at {r.offered:.0f} turns/s "
                f"{r.schedule} = {ratio:.2f}x (target <= 3x); portal RSS {r.rss_portal:.0f} MB"
            )
    return "\n".join(lines)


def cpu_text(step: StepCPU | None, with_portal: bool = True) -> str:
    """ "bot / portal (+pg)" in ms, as in the closing note's table; "–" if not measured."""
    if step is None:
        return "–"
    text = f"{step.bot:.2f}"
    if with_portal and step.portal == step.portal:  # not NaN: ours, with its portal
        text += f" / {step.portal:.2f}"
        if step.db == step.db:
            text += f" (+{step.db:.2f})"
    return text


def steps_table(rows: list[Row]) -> str:
    """``--cpu-steps``: CPU per turn of each step, ours beside the echo floor's, per
    database and worker count; then the mean over the five answer turns."""
    lines: list[str] = []
    seen: set[tuple[str, int]] = set()
    for r in rows:
        if r.bot != "motcua" or not r.steps or (r.db, r.workers) in seen:
            continue
        seen.add((r.db, r.workers))
        echo = next((e for e in rows if e.bot == "echo" and e.db == r.db and e.steps), None)
        floor = {s.index: s for s in echo.steps} if echo is not None else {}
        lines.append(
            f"{r.db}, {r.workers} worker(s): CPU per turn by step, ms (lockstep, "
            f"{r.users} users per step at {r.offered:.0f} turns/s; --cpu-steps)"
        )
        lines.append(
            f"  {'turn':<33}{'turns':>6}  {'bot / portal (+pg)':<24}{'driver':>7}"
            f"{'echo bot':>10}{'echo driver':>13}"
        )
        for step in r.steps:
            kind, arg = FLOW[step.index]
            e = floor.get(step.index)
            mark = "*" if step.index in ANSWER_STEPS else " "
            label = f"{step.index + 1:>2}{mark}{kind:<7}{arg[:22]}"
            if not step.turns:
                lines.append(f"  {label:<33}{0:>6}  (not offered)")
                continue
            lines.append(
                f"  {label:<33}{step.turns:>6}  {cpu_text(step):<24}{step.driver:>7.2f}"
                f"{e.bot if e is not None else float('nan'):>10.2f}"
                f"{e.driver if e is not None else float('nan'):>13.2f}"
            )
        ours, base = r.answer_cpu(), echo.answer_cpu() if echo is not None else None
        if ours is not None:
            total = ours.bot + ours.portal + (ours.db if ours.db == ours.db else 0.0)
            ratio = f", {total / base.bot:.1f}x the echo bot's {base.bot:.2f}" if base else ""
            lines.append(
                f"  answer turn CPU (mean of the * steps): {cpu_text(ours)} ms, bot + portal "
                f"{total:.2f} ms (target <= 6{ratio}); driver {ours.driver:.2f} ms"
            )
    return "\n".join(lines)


def num(value: float) -> str:
    return "–" if value != value else f"{value:.0f}"  # NaN: not measured (--no-closed)


def capacity_text(row: Row) -> str:
    if row.capacity != row.capacity:
        return "–"
    return f"{row.capacity:.0f} ({row.busy:.0%})"


def note_table(rows: list[Row]) -> str:
    """The closing note's table: per database and worker count, beside the echo floor.
    CPU per turn is the Poisson run's when there is one (else the first schedule's)."""
    groups: dict[tuple[str, str, int], dict[str, Row]] = defaultdict(dict)
    for r in rows:
        groups[(r.db, r.bot, r.workers)][r.schedule] = r
    lines = [
        "| database | bot | workers | CPU per turn: bot / portal (+ PostgreSQL) ms "
        "| answer turn CPU ms | driver ms | capacity turns/s (CPU busy) "
        "| lockstep closed loop turns/s | CPU ceiling turns/s "
        "| p99 Poisson ms | p99 burst ms | submit p99 ms | done | spread % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def ms(row: Row | None) -> str:
        return f"{row.p99:.1f}" if row is not None else "–"

    for (db, bot, workers), by in groups.items():
        main = by.get("poisson") or next(iter(by.values()))
        cpu = f"{main.cpu_bot_ms:.2f}"
        if bot != "echo":
            cpu += f" / {main.cpu_portal_ms:.2f}"
        if bot != "echo" and main.cpu_db_ms == main.cpu_db_ms:  # not NaN: PostgreSQL
            cpu += f" (+{main.cpu_db_ms:.2f})"
        name = "echo floor" if bot == "echo" else "Mot Cua"
        done = "–" if bot == "echo" else f"{main.completed}/{main.users}"
        lines.append(
            f"| {db} | {name} | {workers} {main.mode} | {cpu} "
            f"| {cpu_text(main.answer_cpu())} | {main.cpu_driver_ms:.2f} "
            f"| {capacity_text(main)} | {num(main.tps)} | {ceiling(main):.0f} "
            f"| {ms(by.get('poisson'))} | {ms(by.get('burst'))} | {main.submit_p99:.1f} "
            f"| {done} | {main.spread or '–'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="offered turns per second")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--steps", action="store_true", help="latency of each turn of the flow")
    parser.add_argument(
        "--cpu-steps",
        action="store_true",
        help="then a lockstep phase: CPU per turn of each step (answer turns apart)",
    )
    parser.add_argument(
        "--schedule",
        default="poisson",
        help="poisson: independent arrivals (default); burst: users in lockstep; "
        "poisson,burst: both, each with its own users",
    )
    parser.add_argument(
        "--workers",
        default="1",
        help="bot and portal worker processes: N, or a list (1,2,4) for a scale-out line",
    )
    parser.add_argument(
        "--mode",
        choices=["webhook", "polling"],
        default="webhook",
        help="webhook (default; the bot workers share one port) or long polling (1 worker)",
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="chat locks when workers > 1")
    parser.add_argument("--no-closed", action="store_true", help="skip the closed loop")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo floor")
    parser.add_argument("--no-warm", action="store_true", help="no warm-up users (smoke test)")
    # Internal: run one bot in this process (the driver starts these).
    parser.add_argument("--worker", choices=["motcua", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--portal-url", help=argparse.SUPPRESS)
    parser.add_argument("--store-url", help=argparse.SUPPRESS)
    parser.add_argument("--webhook-port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "motcua":
        run_loop(
            worker_ours(
                args.api_base, args.portal_url, args.store_url, args.webhook_port, args.redis_url
            )
        )
        return
    if args.worker == "echo":  # the same loop as ours: the floor on the same stack
        run_loop(worker_echo(args.api_base, args.webhook_port))
        return
    kinds = tuple(args.schedule.split(","))
    counts = tuple(int(c) for c in args.workers.split(","))
    if any(k not in ("poisson", "burst") for k in kinds):
        parser.error("--schedule: poisson, burst or both")
    if args.mode == "polling" and counts != (1,):
        parser.error("long polling is one process (one reader of getUpdates): --workers 1")
    rows: list[Row] = []
    t0 = time.monotonic()
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-dialogs-{db}-") as tmp:
            rows.extend(
                await_rows(
                    run_db(
                        db,
                        args.users,
                        args.rate,
                        Path(tmp),
                        kinds,
                        not args.no_closed,
                        not args.no_echo,
                        counts,
                        args.mode,
                        args.redis_url,
                    )
                )
            )
    print(
        f"{args.users} users x {len(FLOW)} turns (certified copy, submit with VietQR), "
        f"open loop, {args.schedule} at {args.rate:.0f} turns/s"
        f"{'' if args.no_closed else ', then closed loop'}; {args.mode}, workers {args.workers}"
        f" (bot and portal each; Redis chat locks when > 1); "
        f"{os.cpu_count()} CPUs; {servers()}; "
        f"driver and fake Bot API peak RSS {peak_rss_mb():.0f} MB; "
        f"{time.monotonic() - t0:.0f} s"
    )
    print(table(rows))
    if CPU_STEPS:
        print()
        print(steps_table(rows))
    print()
    print(note_table(rows))


if __name__ == "__main__":
    main()
