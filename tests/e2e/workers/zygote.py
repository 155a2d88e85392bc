"""A fork server for bot webhook workers, for the SIGKILL test.

`python -m tests.e2e.workers.zygote` imports the bot once, says "ready", then for
each port read on stdin forks a worker process serving the webhook on that port and
writes its pid. A worker is a real process: SIGKILL ends it at any instruction, with
its connections, its event loop and its Redis locks. Forking skips only the imports
(seconds on a loaded machine), so a hundred kills and restarts fit in a CI run; the
real command's start time is measured by the multi-worker test.

Same wiring as `motcua bot` (motcua.bot_commands.serve_telegram), with a short Redis chat lock
(LOCK_TTL seconds, env WORKER_LOCK_TTL, 10 by default): a killed worker's chats are free again after
it, not after the default minute.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from backend_client import PortalClient
from bot.locks import ChatLocks
from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel

LOCK_TTL = float(os.environ.get("WORKER_LOCK_TTL", "10"))


async def serve(port: int) -> int:
    settings = BotSettings(webhook_port=port)
    backend = PortalClient(settings.portal_url, settings.bot_service_token)
    store = Store(settings.bot_database_url)  # migrated by the test
    locks = ChatLocks.from_url(settings.redis_url, timeout=LOCK_TTL, blocking_timeout=30)
    channel = TelegramChannel.build(settings, backend=backend, store=store, locks=locks)
    await channel.run()
    return 0


def worker(port: int, log_path: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {port} %(levelname)s %(name)s %(message)s"
    )
    try:
        code = asyncio.run(serve(port))
    except BaseException:
        logging.exception("worker on %s stopped", port)
        code = 1
    os._exit(code)


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the killed workers
    print("ready", flush=True)
    for line in sys.stdin:
        port_text, _, log_path = line.strip().partition(" ")
        pid = os.fork()
        if pid == 0:
            worker(int(port_text), log_path)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
