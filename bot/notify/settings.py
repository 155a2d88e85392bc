"""The notifier's settings, from the environment (NOTIFY_*), next to BotSettings."""

from __future__ import annotations

import socket
from datetime import time
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NOTIFY_", env_file=None, extra="ignore", populate_by_name=True
    )

    timezone: str = "Asia/Ho_Chi_Minh"
    # Non-urgent messages wait from quiet_start to quiet_end (local time) until morning.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    # Reminders, in hours after the event that asked for something.
    unpaid_reminder_hours: float = 24.0
    supplement_reminder_hours: float = 48.0
    # "Due date at risk" goes out the day before the due date, at this local hour.
    due_risk_hour: int = 8
    # Telegram's limits are multiplied by this (only the benchmark's fake server
    # accepts more than 1.0).
    limit_scale: float = 1.0
    # 5xx / network errors: retried with exponential backoff, failed after this many.
    max_attempts: int = 8
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    max_retry_after: float = 120.0
    # How often the follower polls the feed when no webhook wakes it.
    poll_interval: float = 2.0
    feed_page: int = 100
    # Events applied per transaction (a page is split). 0: 4 on SQLite, where a write
    # transaction holds the only write lock and the sender's commits must not wait
    # behind a page; the whole page on PostgreSQL, which locks rows one by one.
    feed_txn_events: int = 0
    # At most this many rows claimed (and not yet sent) per sender.
    max_in_flight: int = 0  # 0: one second of the global limit
    concurrency: int = 64
    # A name per sender process: a restarted sender takes back its own rows at once,
    # another's once its lease ran out. A live sender renews its lease every quarter of
    # it, so a dead one's messages wait at most about this long for another sender.
    worker: str = Field(default_factory=socket.gethostname)
    lease_seconds: float = 20.0
    # Several processes on PostgreSQL: one follows the feed (an advisory lock); the
    # others ask for the lock every leader_retry seconds, the leader checks its
    # connection every leader_check seconds.
    leader_retry: float = 1.0
    leader_check: float = 2.0
    # Set by the supervisor of several workers, which migrates the store once: a
    # restarted worker does not pay for Alembic again.
    migrated: bool = False
    # Redis keys of the shared Telegram limiter (REDIS_URL): one prefix per bot token.
    limiter_prefix: str = "motcua:tg"
    # On stop, messages already on their way get this long to finish.
    stop_grace: float = 5.0
    # Optional wake-up endpoint for the portal's signed webhook (EVENT_WEBHOOK_URL).
    webhook_host: str = "127.0.0.1"
    webhook_port: int | None = None
    webhook_path: str = "/portal-events"
    event_webhook_secret: str | None = Field(default=None, alias="EVENT_WEBHOOK_SECRET")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
