"""`python -m bot.notify [--workers N]`: run the notifier with settings from the
environment; with N > 1 (PostgreSQL only), N notifier processes under a supervisor."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.notify", description=__doc__)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="notifier processes (PostgreSQL only for more than one)",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.workers < 1:
        sys.exit("--workers must be at least 1")
    if args.workers > 1:
        from bot.notify.workers import supervise

        sys.exit(supervise(args.workers))
    run_one()


def run_one() -> None:
    from bot.notify.service import run_notifier
    from bot.notify.settings import NotifySettings
    from bot.settings import BotSettings
    from kernel.deployment import InsecureSettings, require_safe_secrets

    settings = BotSettings()
    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        sys.exit(str(exc))

    async def run() -> None:
        # SIGTERM (systemd, the supervisor) stops as cleanly as Ctrl-C: the rows
        # claimed and not tried are given back, nothing is left 'sending'.
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await run_notifier(settings, NotifySettings())

    asyncio.run(run())


if __name__ == "__main__":
    main()
