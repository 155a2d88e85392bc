"""The Telegram channel (aiogram 3)."""

from bot.telegram.app import TelegramChannel, create_bot, set_commands

__all__ = ["TelegramChannel", "create_bot", "set_commands"]
