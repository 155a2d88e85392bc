"""The Zalo channel: the same runtime, store, locks, effects and notifier as Telegram,
over the Zalo Bot API (text, photos by URL, no buttons)."""

from bot.zalo.channel import ZaloChannel

__all__ = ["ZaloChannel"]
