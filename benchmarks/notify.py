"""Notifier delivery under Telegram's limits, with a SIGKILL in the middle.

    .venv/bin/python benchmarks/notify.py [--events 10000] [--chats 2000] [--scale 10]

Seeds `events` status events for `chats` Telegram chats straight into a fresh portal
database (real applications, events through portal.services.events.append), starts
the portal (uvicorn, its own process) and the fake Bot API (a thread of this process,
`enforce_limits=True`), then runs the notifier as a subprocess (`python -m
bot.notify`). Telegram's limits are scaled ×`scale` on both sides (fake server and
notifier: 30×scale messages/s overall, 1×scale/s per chat) so the run stays short.
When about half the messages are out the notifier gets SIGKILL; the rows it left
'sending' are counted from its database, then it is restarted and runs to the end.

Reported: delivery rate as a share of the (scaled) 30 msg/s ceiling (per run, from
first to last message of that run, and overall), 429s received, losses (expected
messages never delivered) and duplicates (messages delivered twice), which must not
exceed the rows in 'sending' at the kill.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.portal import BOT, start_portal  # noqa: E402
from portal.db.migrate import upgrade as portal_upgrade  # noqa: E402
from portal.db.models import Application  # noqa: E402
from portal.services import events  # noqa: E402
from portal.services.context import PortalContext  # noqa: E402
from portal.settings import PortalSettings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

# Each application goes through these; each makes exactly one message.
TYPES = (
    "application.received",
    "payment.confirmed",
    "application.approved",
    "application.result_ready",
    "application.completed",
)
FIRST_CHAT = 500_000


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


def sending_rows(bot_db: Path) -> int:
    with sqlite3.connect(bot_db) as conn:
        return int(conn.execute("SELECT count(*) FROM outbox WHERE status='sending'").fetchone()[0])


def status_counts(bot_db: Path) -> dict[str, int]:
    with sqlite3.connect(bot_db) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())


def start_notifier(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.notify"], env=env, cwd=ROOT, stdout=out, stderr=out
        )


def wait_sent(tg: object, target: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    sent = 0
    while time.monotonic() < deadline:
        sent = len(tg.calls_of("sendMessage"))  # type: ignore[attr-defined]
        if sent >= target:
            break
        time.sleep(0.05)
    return sent


def rate(times: list[float]) -> float:
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent before SIGKILL")
    parser.add_argument("--timeout", type=float, default=240.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="motcua-notify-bench-"))
    portal_db = f"sqlite:///{workdir / 'portal.sqlite3'}"
    bot_db = workdir / "bot.sqlite3"
    t0 = time.monotonic()
    seed(portal_db, workdir, args.events, args.chats)
    print(f"seeded {args.events} events for {args.chats} chats in {time.monotonic() - t0:.1f} s")
    portal_proc, base = start_portal(portal_db, workdir)
    tg = FakeTelegram.run_in_thread(enforce_limits=True, limit_scale=args.scale)
    env = os.environ | {
        "BOT_DATABASE_URL": f"sqlite:///{bot_db}",
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
    log = workdir / "notifier.log"
    try:
        first = start_notifier(env, log)
        sent_at_kill = wait_sent(tg, int(args.events * args.kill_at), args.timeout)
        first.send_signal(signal.SIGKILL)
        first.wait()
        in_flight = sending_rows(bot_db)
        after_kill = status_counts(bot_db)
        sent_at_kill = len(tg.calls_of("sendMessage"))
        second = start_notifier(env, log)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            counts = status_counts(bot_db)
            if counts.get("sent", 0) + counts.get("failed", 0) >= args.events:
                break
            time.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    finally:
        portal_proc.terminate()
        portal_proc.wait()

    calls = tg.calls_of("sendMessage")
    stats = tg.stats
    tg.stop()
    delivered = Counter((c.params["chat_id"], c.params["text"]) for c in calls)
    unique = len(delivered)
    duplicates = sum(n - 1 for n in delivered.values())
    losses = args.events - unique
    times = sorted(c.time for c in calls)
    ceiling = 30 * args.scale
    run1, run2 = times[:sent_at_kill], times[sent_at_kill:]
    final = status_counts(bot_db)
    rows = [
        ("events × subscribers (expected messages)", f"{args.events}"),
        ("chats", f"{args.chats}"),
        ("limit scale (fake server and notifier)", f"×{args.scale:g} → {ceiling:g} msg/s"),
        ("messages delivered (unique)", f"{unique}"),
        ("rate, run 1 (before SIGKILL)", f"{rate(run1):.1f} msg/s = {rate(run1) / ceiling:.1%}"),
        ("rate, run 2 (after restart)", f"{rate(run2):.1f} msg/s = {rate(run2) / ceiling:.1%}"),
        (
            "rate, overall (restart gap included)",
            f"{rate(times):.1f} msg/s = {rate(times) / ceiling:.1%}",
        ),
        ("429 received", f"{stats.too_many_requests}"),
        ("sent at the kill", f"{sent_at_kill}"),
        ("rows 'sending' at the kill", f"{in_flight}"),
        ("outbox at the kill", f"{after_kill}"),
        ("losses", f"{losses}"),
        ("duplicates", f"{duplicates} (bound: {in_flight})"),
        ("outbox at the end", f"{final}"),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(f"\n  notifier log: {log}")
    ok = losses == 0 and duplicates <= in_flight
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
