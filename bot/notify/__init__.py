"""Push notifications: the portal's event feed → a durable outbox → Telegram.

`Follower` turns feed events into outbox rows (and advances the cursor in the same
transaction); `Sender` delivers due rows within Telegram's limits; `Notifier` runs both.

The names are imported on first use: `python -m bot.notify` runs this file first, and a
restarted notifier must not wait for modules it does not need (see service.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.notify.feed import Follower
    from bot.notify.limiter import Limiter, LocalLimiter, RedisLimiter
    from bot.notify.sender import Sender
    from bot.notify.service import Notifier, run_notifier
    from bot.notify.settings import NotifySettings

_HOME = {
    "Follower": "bot.notify.feed",
    "Limiter": "bot.notify.limiter",
    "LocalLimiter": "bot.notify.limiter",
    "RedisLimiter": "bot.notify.limiter",
    "Sender": "bot.notify.sender",
    "Notifier": "bot.notify.service",
    "run_notifier": "bot.notify.service",
    "NotifySettings": "bot.notify.settings",
}

__all__ = [
    "Follower",
    "Limiter",
    "LocalLimiter",
    "Notifier",
    "NotifySettings",
    "RedisLimiter",
    "Sender",
    "run_notifier",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'bot.notify' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
