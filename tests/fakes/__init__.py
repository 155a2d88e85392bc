"""Fakes of outside services for end-to-end tests (the Telegram Bot API)."""

from .telegram_api import FakeTelegram, WaitTimeout
from .telegram_errors import ApiError
from .telegram_records import Call, InjectedUpdate, Stats, Topic, WebhookDelivery
from .telegram_thread import ThreadedFakeTelegram

__all__ = [
    "ApiError",
    "Call",
    "FakeTelegram",
    "InjectedUpdate",
    "Stats",
    "ThreadedFakeTelegram",
    "Topic",
    "WaitTimeout",
    "WebhookDelivery",
]
