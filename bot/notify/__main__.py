"""`python -m bot.notify`: run the notifier with settings from the environment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys

from bot.notify.service import run_notifier
from bot.notify.settings import NotifySettings
from bot.settings import BotSettings
from kernel.deployment import InsecureSettings, require_safe_secrets


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = BotSettings()
    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        sys.exit(str(exc))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_notifier(settings, NotifySettings()))


if __name__ == "__main__":
    main()
