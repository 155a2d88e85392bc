"""Push notifications: the portal's event feed → a durable outbox → Telegram.

`Follower` turns feed events into outbox rows (and advances the cursor in the same
transaction); `Sender` delivers due rows within Telegram's limits; `Notifier` runs both.
"""

from bot.notify.feed import Follower
from bot.notify.limiter import Limiter, LocalLimiter, RedisLimiter
from bot.notify.sender import Sender
from bot.notify.service import Notifier, run_notifier
from bot.notify.settings import NotifySettings

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
