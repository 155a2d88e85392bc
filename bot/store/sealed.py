"""Bot store columns sealed at rest: the conversation state (answers being collected,
the last messages) and help requests are stored as Fernet tokens (kernel.sealing).

The keys come from ``BotSettings`` (BOT_DATA_KEY, BOT_DATA_OLD_KEYS) when a value is
first bound or read, or from ``configure`` (tests, a rotation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from kernel.sealing import InvalidToken, Sealer, split_keys

__all__ = ["InvalidToken", "SealedJson", "Sealer", "configure", "sealer"]

_state: dict[str, Sealer] = {}


def configure(key: str, old_keys: str = "") -> None:
    _state["sealer"] = Sealer(key, split_keys(old_keys))


def sealer() -> Sealer:
    if "sealer" not in _state:
        from bot.settings import get_settings

        settings = get_settings()
        configure(settings.bot_data_key, settings.bot_data_old_keys)
    return _state["sealer"]


class SealedJson(TypeDecorator[Any]):
    """A JSON value stored as a Fernet token (text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else sealer().seal_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else sealer().open_json(value)
