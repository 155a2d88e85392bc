"""`python -m bot.notify --workers N`: N notifier processes under one supervisor.

Each child is a whole notifier (`python -m bot.notify`) named `<NOTIFY_WORKER>-<i>`:
all of them send (the claims are safe side by side) and one at a time follows the feed
(a PostgreSQL advisory lock, see leader.py). A child that dies is started again under
the same name, so it takes back at once the rows it had claimed. SQLite has one writer
per file and no such lock: it keeps a single process.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

log = logging.getLogger("bot.notify.workers")

# A child that fails sooner than this after its start (bad settings, database
# unreachable at migration) is not started again: the supervisor exits with its code.
FAST_FAILURE = 5.0


def refuse_sqlite(database_url: str, workers: int) -> str | None:
    if workers > 1 and not database_url.startswith(("postgresql", "postgres:")):
        return (
            f"--workers {workers}: several notifier processes need PostgreSQL "
            "(BOT_DATABASE_URL); on SQLite run one (--workers 1)"
        )
    return None


def supervise(workers: int) -> int:
    from bot.settings import BotSettings
    from bot.store.migrate import upgrade

    url = BotSettings().bot_database_url
    problem = refuse_sqlite(url, workers)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    # Once here rather than in every child: a child started again sends sooner.
    upgrade(url)
    base = os.environ.get("NOTIFY_WORKER") or socket.gethostname()
    names = [f"{base}-{i}" for i in range(workers)]
    children: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
    stopping = False

    def start(name: str) -> None:
        env = os.environ | {"NOTIFY_WORKER": name, "NOTIFY_MIGRATED": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "bot.notify", "--workers", "1"], env=env)
        children[name] = (proc, time.monotonic())
        log.info("notifier %s started (pid %s)", name, proc.pid)

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for proc, _ in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name in names:
        start(name)
    code = 0
    while children:
        time.sleep(0.1)
        for name, (proc, since) in list(children.items()):
            rc = proc.poll()
            if rc is None:
                continue
            del children[name]
            if stopping:
                continue
            if rc > 0 and time.monotonic() - since < FAST_FAILURE:
                log.error("notifier %s failed at start (exit %s): stopping", name, rc)
                code = rc
                stop(signal.SIGTERM, None)
                continue
            log.warning("notifier %s ended (exit %s): starting it again", name, rc)
            start(name)
    return code
