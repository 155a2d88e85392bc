"""Conversation turns through the real aiogram bot, against an aiogram echo bot.

    .venv/bin/python benchmarks/dialogs.py [--users 50] [--rate 100] [--db sqlite,postgresql]
        [--schedule poisson|burst] [--steps] [--no-closed] [--no-echo]

For each database (the bot store and the portal both on it: a fresh SQLite file, or a
fresh PostgreSQL database at TEST_POSTGRES_URL / postgresql://postgres@127.0.0.1:5432/test,
created and dropped here), three processes: the portal (`motcua portal`, uvicorn),
the bot in long polling (this script with `--worker`), and this process, which runs
the fake Bot API (tests/fakes, HTTP on loopback) and the simulated users. The bot is
alone in its process so that the fake's work is not charged to it; each bot, ours and
the echo floor, gets its own.

Each simulated user goes through a whole certified-copy application (13-14 turns:
/start, language, the procedure in words, start, consent, five answers, a photo,
"Xong" only if the bot offers it, submit, confirm — the last turn renders two QR
codes, one a VietQR). Two phases per bot:

- open loop: turns are offered at `--rate` per second whatever the answers, as
  Poisson arrivals (default) or, with `--schedule burst`, evenly spaced ticks; each
  arrival takes the next user whose previous turn is fully answered (one finding
  nobody ready is counted as late and goes out when someone is); users take turns
  round robin, so under `burst` they move through the flow together: with 50 users
  at 100 turns/s all 50 submissions reach the portal within the same half second;
- closed loop: every user sends its next turn as soon as the previous one is answered,
  all at once: the most turns per second this process gets through.

A turn's latency runs from its scheduled send time (a late send counts as waiting)
to the LAST bot message for that chat before the user's next update (both on the
fake's clock), so it includes long polling, the engine, the portal calls and all the
sending. The echo bot runs on the same aiogram stack (Bot, AiohttpSession,
Dispatcher, polling) against the same fake, is fed the same kinds of updates (texts,
button presses, photos) and answers each with one text carrying one button. CPU per
turn is the bot's and the portal's process CPU over the open loop, per turn. RSS is
the bot's process after both phases; the portal's process and this one are reported
apart. `--steps` prints p50/p99 for each turn of the flow (open loop).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Dispatcher, Router  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from PIL import Image  # noqa: E402

from backend_client import PortalClient  # noqa: E402
from benchmarks.portal import BOT, drop_postgres, postgres_url, start_portal  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.telegram import TelegramChannel  # noqa: E402
from bot.telegram.app import create_bot  # noqa: E402
from dialogs import Reply  # noqa: E402
from portal.db.migrate import upgrade as portal_upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.support.images import photo  # noqa: E402

TOKEN = "123456:BENCH"
STEPS = "--steps" in sys.argv
WARM = 0 if "--no-warm" in sys.argv else 2  # users run before measuring: caches, connections
PHOTO = photo(width=800, height=600)

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
        while self.done[chat_id] < count:
            future = asyncio.get_running_loop().create_future()
            self.waiters[chat_id] = future
            await asyncio.wait_for(future, timeout)


@dataclass
class RunningBot:
    """A bot in its own process; each finished turn comes back as a line on stdout."""

    name: str
    proc: asyncio.subprocess.Process
    turns: TurnCounter
    reader: asyncio.Task[None]

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
        await self.proc.wait()
        await self.reader


async def start_bot(
    name: str, tg: FakeTelegram, portal_url: str = "", store_url: str = ""
) -> RunningBot:
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
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    turns = TurnCounter()
    ready = asyncio.get_running_loop().create_future()

    async def read(stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            word, _, arg = line.decode().strip().partition(" ")
            if word == "turn":
                turns.finished(int(arg))
            elif word == "ready" and not ready.done():
                ready.set_result(None)
        if not ready.done():
            ready.set_exception(RuntimeError(f"{name} bot exited before it was ready"))

    reader = asyncio.create_task(read(proc.stdout))
    await asyncio.wait_for(ready, 60)
    return RunningBot(name, proc, turns, reader)


def report_turn(chat_id: int) -> None:
    sys.stdout.write(f"turn {chat_id}\n")
    sys.stdout.flush()


async def worker_ours(api_base: str, portal_url: str, store_url: str) -> None:
    store = Store.migrated(store_url)
    backend = PortalClient(portal_url, BOT)
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=api_base)
    channel = TelegramChannel.build(settings, backend=backend, store=store, album_delay=0.2)
    sender = channel.handlers.sender
    original = sender.send

    async def send(chat_id: int, key: str, replies: list[Reply]) -> bool:
        try:
            return await original(chat_id, key, replies)
        finally:
            report_turn(chat_id)

    sender.send = send  # type: ignore[method-assign]
    channel.dispatcher.startup.register(lambda: print("ready", flush=True))
    try:
        await channel.dispatcher.start_polling(channel.bot, polling_timeout=10)
    finally:
        await channel.bot.session.close()
        await backend.aclose()
        store.close()


async def worker_echo(api_base: str) -> None:
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
    dispatcher.startup.register(lambda: print("ready", flush=True))
    try:
        await dispatcher.start_polling(bot, polling_timeout=10)
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

    def inject(self, tg: FakeTelegram, at: float | None = None) -> None:
        """Send the next turn; `at` is when it was scheduled (the latency clock starts
        there, so a late send counts as waiting), else the moment it is queued."""
        while not self.finished:
            kind, arg = FLOW[self.step]
            optional = kind == "press?"
            if optional and find_button(tg, self.chat_id, arg, self.echo, True) is None:
                self.step += 1  # not offered: the bot already moved on
                continue
            break
        else:
            raise RuntimeError(f"chat {self.chat_id}: nothing left to send")
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
        raise RuntimeError(f"chat {chat}: no button {label!r}")
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
    arrivals, exponential gaps, seeded) or "burst" (evenly spaced ticks, users taking
    turns round robin so they move through the flow in lockstep)."""
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
        user = ready.popleft()
        user.inject(tg, at)
        task = asyncio.create_task(answered(user))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return late


async def closed_loop(tg: FakeTelegram, bot: RunningBot, users: list[User]) -> float:
    """Every user as fast as the bot answers; returns turns per second."""

    async def run(user: User) -> None:
        while not user.finished:
            user.inject(tg)
            await bot.turns.wait(user.chat_id, user.sent)

    start = time.monotonic()
    before = sum(u.sent for u in users)
    await asyncio.gather(*(run(u) for u in users))
    return (sum(u.sent for u in users) - before) / (time.monotonic() - start)


@dataclass
class Row:
    db: str
    bot: str
    offered: float
    late: int
    p50: float
    p99: float
    tps: float
    rss: float
    completed: int
    schedule: str = "poisson"
    submit_p99: float = float("nan")
    cpu_bot_ms: float = float("nan")  # per turn of the open loop
    cpu_portal_ms: float = float("nan")
    rss_portal: float = float("nan")


async def measure(
    tg: FakeTelegram,
    bot: RunningBot,
    db: str,
    n: int,
    rate: float,
    base: int,
    kind: str = "poisson",
    portal_pid: int | None = None,
    closed: bool = True,
) -> tuple[Row, list[User]]:
    echo = bot.name == "echo"
    warm = [User(base + 900 + i, echo) for i in range(WARM)]
    await closed_loop(tg, bot, warm)  # catalog cache, NLU, connections
    users = [User(base + i, echo) for i in range(n)]
    cpu0 = cpu_seconds(bot.pid), cpu_seconds(portal_pid)
    late = await open_loop(tg, bot, users, rate, kind)
    turns = max(1, sum(u.sent for u in users))
    cpu_bot = (cpu_seconds(bot.pid) - cpu0[0]) / turns * 1000
    cpu_portal = (cpu_seconds(portal_pid) - cpu0[1]) / turns * 1000
    lat = latencies(tg, users)
    submit = latencies(tg, users, SUBMIT_STEP)
    if STEPS and not echo:
        print_steps(tg, users)
    tps = float("nan")
    if closed:
        burst = [User(base + 500 + i, echo) for i in range(n)]
        tps = await closed_loop(tg, bot, burst)
    done = sum(1 for u in users if echo or submitted(tg, u.chat_id))
    row = Row(db, bot.name, rate, late, pct(lat, 0.5), pct(lat, 0.99), tps, rss_mb(bot.pid), done)
    row.schedule = kind
    row.submit_p99 = pct(submit, 0.99)
    row.cpu_bot_ms = cpu_bot
    row.cpu_portal_ms = cpu_portal if portal_pid is not None else float("nan")
    return row, users


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


async def run_db(
    db: str,
    n: int,
    rate: float,
    workdir: Path,
    kind: str = "poisson",
    closed: bool = True,
    echo: bool = True,
) -> list[Row]:
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
    proc, portal_url = start_portal(portal_db, workdir)
    rows: list[Row] = []
    try:
        async with FakeTelegram() as tg:
            light_photo_ladders(tg)
            ours = await start_bot("motcua", tg, portal_url, store_db)
            try:
                row, _ = await measure(tg, ours, db, n, rate, 1_000_000, kind, proc.pid, closed)
            finally:
                await ours.close()
            row.rss_portal = rss_mb(proc.pid)
            rows.append(row)
            if echo:
                floor = await start_bot("echo", tg)
                try:
                    erow, _ = await measure(tg, floor, db, n, rate, 2_000_000, kind, None, closed)
                finally:
                    await floor.close()
                rows.append(erow)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("the portal did not stop within 30 s: killed", file=sys.stderr)
            proc.kill()
            proc.wait()
        for url in created:
            drop_postgres(url)
    return rows


def table(rows: list[Row], n: int) -> str:
    head = (
        f"{'db':<11}{'bot':<8}{'schedule':<9}{'offered/s':>10}{'late':>6}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'submit p99':>11}{'CPU/turn bot':>13}{'portal':>8}"
        f"{'max turns/s':>13}{'RSS MB':>8}{'done':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.db:<11}{r.bot:<8}{r.schedule:<9}{r.offered:>10.0f}{r.late:>6}{r.p50:>9.1f}"
            f"{r.p99:>9.1f}{r.submit_p99:>11.1f}{r.cpu_bot_ms:>13.2f}{r.cpu_portal_ms:>8.2f}"
            f"{r.tps:>13.1f}{r.rss:>8.0f}{f'{r.completed}/{n}':>8}"
        )
    by_db: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in rows:
        by_db[r.db][r.bot] = r
    for db, pair in by_db.items():
        if "motcua" in pair and "echo" in pair:
            ours, echo = pair["motcua"], pair["echo"]
            ratio = ours.p99 / echo.p99 if echo.p99 else float("inf")
            portal = ours.rss_portal
            lines.append(
                f"{db}: p99 ours/echo at {ours.offered:.0f} turns/s = {ratio:.2f}x "
                f"(target <= 3x); portal process RSS {portal:.0f} MB"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="offered turns per second")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--steps", action="store_true", help="latency of each turn of the flow")
    parser.add_argument(
        "--schedule",
        choices=["poisson", "burst"],
        default="poisson",
        help="poisson: independent arrivals (default); burst: users in lockstep",
    )
    parser.add_argument("--no-closed", action="store_true", help="skip the closed loop")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo floor")
    parser.add_argument("--no-warm", action="store_true", help="no warm-up users (smoke test)")
    # Internal: run one bot in this process (the driver starts two of these).
    parser.add_argument("--worker", choices=["motcua", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--portal-url", help=argparse.SUPPRESS)
    parser.add_argument("--store-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "motcua":
        asyncio.run(worker_ours(args.api_base, args.portal_url, args.store_url))
        return
    if args.worker == "echo":
        asyncio.run(worker_echo(args.api_base))
        return
    rows: list[Row] = []
    t0 = time.monotonic()
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-dialogs-{db}-") as tmp:
            rows.extend(
                asyncio.run(
                    run_db(
                        db,
                        args.users,
                        args.rate,
                        Path(tmp),
                        args.schedule,
                        not args.no_closed,
                        not args.no_echo,
                    )
                )
            )
    print(
        f"{args.users} users x {len(FLOW)} turns (certified copy, submit with VietQR), "
        f"open loop, {args.schedule} at {args.rate:.0f} turns/s"
        f"{'' if args.no_closed else ', then closed loop'}; "
        f"{os.cpu_count()} CPUs; driver and fake Bot API peak RSS {peak_rss_mb():.0f} MB; "
        f"{time.monotonic() - t0:.0f} s"
    )
    print(table(rows, args.users))


if __name__ == "__main__":
    main()
