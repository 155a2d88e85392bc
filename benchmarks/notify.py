"""Notifier delivery under Telegram's limits, with a SIGKILL in the middle.

    .venv/bin/python benchmarks/notify.py [--db sqlite|postgresql|both] [--events 10000]
        [--chats 2000] [--scale 10] [--kill-at 0.5] [--workers 1]

For each database: seeds `events` status events for `chats` Telegram chats straight
into a fresh portal database (real applications, events through
portal.services.events.append), starts the portal (uvicorn, its own process) and the
fake Bot API (a thread of this process, `enforce_limits=True`), then runs the notifier
as a subprocess (`python -m bot.notify`) on a fresh bot store. On `postgresql` both
the portal and the bot store are databases created for the run at TEST_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards; on
`sqlite` both are files in a temporary directory.

Telegram's limits are scaled ×`scale` on both sides (fake server and notifier:
30×scale messages/s overall, 1×scale/s per chat) so the run stays short. When
`kill-at` of the messages are out the notifier gets SIGKILL; the rows it left
'sending' (requests that may have reached Telegram) are counted from its database,
then it is restarted and runs to the end. The restart gap is measured from the new
process's exec to the first sendMessage it gets to the fake Telegram (and the first
start's likewise, which also waits for the feed to be read).

With `--workers N` (PostgreSQL only) the notifier runs as `python -m bot.notify
--workers N` with a Redis limiter (TEST_REDIS_URL, default redis://127.0.0.1:6379/0):
the process that follows the feed gets the SIGKILL, the supervisor starts it again,
and the others go on sending meanwhile.

Reported per database: the delivery rate (messages Telegram accepted per second, from
the first to the last of the period, over the scaled 30 msg/s ceiling) before the
kill, after the restart, and overall (with and without the restart gap); the 429s
received; losses (expected messages never delivered); the rows in flight at the kill
and the duplicates (messages delivered twice), which can only come from those rows.
Exit status 1 if anything was lost, a 429 was received, or there were more duplicates
than rows in flight. The run also says whether the overall rate, restart gap included,
stayed at 95% of the limit or more (the goal of issue #15).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.portal import BOT, drop_postgres, postgres_url, start_portal  # noqa: E402
from bot.store.engine import make_engine  # noqa: E402
from portal.db.migrate import upgrade as portal_upgrade  # noqa: E402
from portal.db.models import Application  # noqa: E402
from portal.services import events  # noqa: E402
from portal.services.context import PortalContext  # noqa: E402
from portal.settings import PortalSettings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_thread import ThreadedFakeTelegram  # noqa: E402

# Each application goes through these; each makes exactly one message.
TYPES = (
    "application.received",
    "payment.confirmed",
    "application.approved",
    "application.result_ready",
    "application.completed",
)
FIRST_CHAT = 500_000
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def seed(db_url: str, workdir: Path, n_events: int, n_chats: int) -> None:
    portal_upgrade(db_url)
    settings = PortalSettings(database_url=db_url, upload_dir=workdir / "uploads")
    ctx = PortalContext.from_settings(settings)
    with ctx.sessions() as db:
        apps = []
        for i in range(n_chats):
            app = Application(
                id=uuid.uuid4().hex,
                procedure="certified_copy",
                citizen=f"telegram:{FIRST_CHAT + i}",
                lang="vi",
                channel="online",
                status="received",
                answers={},
                tracking_code=f"BN-{i:06d}",
            )
            db.add(app)
            apps.append(app)
        db.flush()
        for n in range(n_events):
            app = apps[n % n_chats]
            kind = TYPES[(n // n_chats) % len(TYPES)]
            app.status = kind.split(".")[1]
            events.append(db, ctx, kind, app, note="Quầy số 2" if "result" in kind else None)
        db.commit()
    ctx.engine.dispose()


def status_counts(store: Engine) -> dict[str, int]:
    with store.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))
        return {str(status): int(n) for status, n in rows}


def resent_total(store: Engine) -> int:
    with store.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(sum(resent), 0) FROM outbox")).scalar_one())


def start_notifier(env: dict[str, str], log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.notify", "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )


def leader(store: Engine) -> tuple[int, str] | None:
    """The pid and worker name of the notifier following the feed (bot/notify/leader.py)."""
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


def sending_of(store: Engine, worker: str) -> int:
    with store.connect() as conn:
        query = "SELECT count(*) FROM outbox WHERE status = 'sending' AND claimed_by = :w"
        return int(conn.execute(text(query), {"w": worker}).scalar_one())


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far: its start-up's cost, which
    unlike the wall time does not grow with the machine's load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_after(
    tg: ThreadedFakeTelegram, since: float, timeout: float, pid: int | None = None
) -> tuple[float | None, float | None]:
    """Seconds from `since` (monotonic) to the first sendMessage that arrived after it,
    and the CPU seconds process `pid` had used by then."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        calls = tg.fake.calls[seen:]
        seen += len(calls)
        later = [c.time for c in calls if c.method == "sendMessage" and c.time > since]
        if later:
            return min(later) - since, cpu_seconds(pid) if pid else None
        time.sleep(0.01)
    return None, None


def delivered(tg: ThreadedFakeTelegram) -> list[float]:
    """Arrival times of the sendMessage calls Telegram accepted. Read from the fake's
    own list (a slice is atomic): `calls_of` deep-copies every call in the server's
    loop, and done every 50 ms over thousands of calls it slowed the fake itself."""
    calls = tg.fake.calls[:]
    return [c.time for c in calls if c.method == "sendMessage" and c.ok]


def wait_delivered(
    tg: ThreadedFakeTelegram, store: Engine, target: int, timeout: float
) -> list[int]:
    """Wait for `target` deliveries; returns the rows 'sending' sampled meanwhile."""
    deadline = time.monotonic() + timeout
    samples: list[int] = []
    while time.monotonic() < deadline and len(delivered(tg)) < target:
        with contextlib.suppress(Exception):  # the store is not migrated yet
            samples.append(status_counts(store).get("sending", 0))
        time.sleep(0.05)
    return samples


def rate(times: list[float]) -> float:
    """Messages per second from the first to the last of `times`."""
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


@dataclass
class Result:
    db: str
    ceiling: float
    run1: list[float] = field(default_factory=list)
    run2: list[float] = field(default_factory=list)
    unique: int = 0
    losses: int = 0
    duplicates: int = 0
    too_many: int = 0
    in_flight: int = 0
    at_kill: dict[str, int] = field(default_factory=dict)
    final: dict[str, int] = field(default_factory=dict)
    resent: int = 0
    seconds: float = 0.0
    sampled: list[int] = field(default_factory=list)  # rows 'sending' before the kill
    workers: int = 1
    cold_start: float | None = None  # exec → first message, the feed not read yet
    restart_gap: float | None = None  # exec of the restarted process → its first message
    cold_cpu: float | None = None  # CPU seconds the process had used by then
    restart_cpu: float | None = None

    def share(self, value: float) -> str:
        return f"{value:.1f} msg/s = {value / self.ceiling:.1%}"

    @property
    def sending_rate(self) -> float:
        """Overall, the restart gap left out: both periods' messages over their spans."""
        spans = [t[-1] - t[0] for t in (self.run1, self.run2) if len(t) > 1]
        intervals = sum(len(t) - 1 for t in (self.run1, self.run2) if len(t) > 1)
        return intervals / sum(spans) if spans else 0.0

    def rows(self) -> list[tuple[str, str]]:
        both = sorted(self.run1 + self.run2)
        gap = self.run2[0] - self.run1[-1] if self.run1 and self.run2 else 0.0
        zero = "yes" if self.duplicates == 0 else "no"
        return [
            ("messages delivered (unique)", f"{self.unique}"),
            ("rate before the SIGKILL", self.share(rate(self.run1))),
            ("rate after the restart", self.share(rate(self.run2))),
            ("rate overall, restart gap left out", self.share(self.sending_rate)),
            ("rate overall, restart gap included", f"{self.share(rate(both))} (gap {gap:.1f} s)"),
            ("≥ 95% of the limit, restart included", "yes" if self.keeps_pace else "no"),
            ("notifier processes", f"{self.workers}"),
            ("first start: exec → first message", seconds(self.cold_start, self.cold_cpu)),
            ("restart: exec → first message", seconds(self.restart_gap, self.restart_cpu)),
            ("429 received", f"{self.too_many}"),
            ("losses", f"{self.losses}"),
            ("delivered before the kill", f"{len(self.run1)}"),
            ("rows in flight ('sending') at the kill", f"{self.in_flight}"),
            ("rows in flight before the kill, sampled: median / max", self.in_flight_sampled()),
            ("duplicates (delivered twice)", f"{self.duplicates} (0 reached: {zero})"),
            ("re-sent rows counted by the notifier", f"{self.resent}"),
            ("outbox at the kill", f"{self.at_kill}"),
            ("outbox at the end", f"{self.final}"),
            ("wall time of the run", f"{self.seconds:.0f} s"),
        ]

    @property
    def keeps_pace(self) -> bool:
        return rate(sorted(self.run1 + self.run2)) >= 0.95 * self.ceiling

    def in_flight_sampled(self) -> str:
        xs = sorted(self.sampled)
        return f"{xs[len(xs) // 2]} / {xs[-1]} ({len(xs)} samples)" if xs else "-"

    @property
    def ok(self) -> bool:
        return self.losses == 0 and self.too_many == 0 and self.duplicates <= self.in_flight


def seconds(wall: float | None, cpu: float | None) -> str:
    if wall is None:
        return "-"
    return f"{wall:.2f} s" + ("" if cpu is None else f" ({cpu:.2f} s of CPU)")


def run(db: str, args: argparse.Namespace) -> Result | None:
    workdir = Path(tempfile.mkdtemp(prefix=f"motcua-notify-bench-{db}-"))
    created: list[str] = []
    if db == "sqlite":
        portal_db = f"sqlite:///{workdir / 'portal.sqlite3'}"
        store_url = f"sqlite:///{workdir / 'bot.sqlite3'}"
    else:
        a, b = postgres_url(), postgres_url()
        if a is None or b is None:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
            return None
        portal_db, store_url = a, b
        created = [a, b]
    ceiling = 30 * args.scale
    result = Result(NAMES[db], ceiling, workers=args.workers if db == "postgresql" else 1)
    store = make_engine(store_url)
    log = workdir / "notifier.log"
    portal_proc: subprocess.Popen[bytes] | None = None
    tg: ThreadedFakeTelegram | None = None
    try:
        t0 = time.monotonic()
        seed(portal_db, workdir, args.events, args.chats)
        took = time.monotonic() - t0
        print(f"[{db}] seeded {args.events} events for {args.chats} chats in {took:.1f} s")
        portal_proc, base = start_portal(portal_db, workdir)
        tg = FakeTelegram.run_in_thread(enforce_limits=True, limit_scale=args.scale)
        env = os.environ | {
            "MOTCUA_ENV": "demo",  # the benchmark's short token is no production secret
            "BOT_DATABASE_URL": store_url,
            "PORTAL_URL": base,
            "BOT_SERVICE_TOKEN": BOT,
            "TELEGRAM_BOT_TOKEN": "123456:BENCH",
            "TELEGRAM_API_BASE": tg.api_base,
            "NOTIFY_LIMIT_SCALE": str(args.scale),
            # No quiet hours, whatever the time of the run.
            "NOTIFY_QUIET_START": "00:00",
            "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_POLL_INTERVAL": "0.2",
            "NOTIFY_WORKER": "bench",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        if result.workers > 1:
            env["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
            env["NOTIFY_LIMITER_PREFIX"] = f"motcua-bench:{uuid.uuid4().hex}"
        started = time.monotonic()
        first = start_notifier(env, log, result.workers)
        pid = first.pid if result.workers == 1 else None
        result.cold_start, result.cold_cpu = first_after(tg, started, args.timeout, pid)
        result.sampled = wait_delivered(tg, store, int(args.events * args.kill_at), args.timeout)
        if result.workers > 1:
            victim = leader(store)
            assert victim is not None, "no notifier leads"
            os.kill(victim[0], signal.SIGKILL)
            killed_at = time.monotonic()
            # The supervisor starts it again; the others never stopped sending.
            result.in_flight = sending_of(store, victim[1])
            result.at_kill = status_counts(store)
            second = first
        else:
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()
            result.in_flight = status_counts(store).get("sending", 0)
            result.at_kill = status_counts(store)
            restarted = time.monotonic()
            second = start_notifier(env, log)
            result.restart_gap, result.restart_cpu = first_after(
                tg, restarted, args.timeout, second.pid
            )
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            counts = status_counts(store)
            if counts.get("sent", 0) + counts.get("failed", 0) >= args.events:
                break
            time.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        result.seconds = time.monotonic() - started
        result.final = status_counts(store)
        result.resent = resent_total(store)
        calls = tg.calls_of("sendMessage")
        result.too_many = tg.stats.too_many_requests
    finally:
        if tg is not None:
            tg.stop()
        if portal_proc is not None:
            portal_proc.terminate()
            portal_proc.wait()
        store.dispose()
        for url in created:
            drop_postgres(url)

    counted = Counter((c.params["chat_id"], c.params["text"]) for c in calls)
    result.unique = len(counted)
    result.duplicates = sum(n - 1 for n in counted.values())
    result.losses = args.events - result.unique
    times = sorted(c.time for c in calls)
    result.run1 = [t for t in times if t <= killed_at]
    result.run2 = [t for t in times if t > killed_at]
    print(f"[{db}] notifier log: {log}")
    return result


def table(results: list[Result], args: argparse.Namespace) -> str:
    head = [
        ("expected messages (events × subscribers)", f"{args.events}"),
        ("chats", f"{args.chats}"),
        ("limit scale (fake server and notifier)", f"×{args.scale:g} → {30 * args.scale:g} msg/s"),
    ]
    lines = ["| | " + " | ".join(r.db for r in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    for name, value in head:
        lines.append(f"| {name} | " + " | ".join(value for _ in results) + " |")
    for i, (name, _) in enumerate(results[0].rows()):
        values = [r.rows()[i][1] for r in results]
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent before SIGKILL")
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument(
        "--workers", type=int, default=1, help="notifier processes on PostgreSQL (Redis limiter)"
    )
    args = parser.parse_args()

    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [r for db in dbs if (r := run(db, args)) is not None]
    if not results:
        sys.exit(1)
    print()
    print(table(results, args))
    sys.exit(0 if all(r.ok for r in results) else 1)


if __name__ == "__main__":
    main()
